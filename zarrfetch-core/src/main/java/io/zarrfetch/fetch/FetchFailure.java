package io.zarrfetch.fetch;

/**
 * Why one object, or the input listing, failed.
 *
 * @param url the object's URL, or the listing's
 * @param name the object's name, or {@code null} for a failed listing
 * @param attempts how many requests were made for it
 * @param cause what went wrong, its message naming the URL and the cause
 */
public record FetchFailure(String url, String name, int attempts, Throwable cause) {
    /** One line for people: the URL, the cause and the attempts made, one included. */
    public String describe() {
        String m = cause.getMessage() != null ? cause.getMessage() : cause.toString();
        String text = m.startsWith(url) ? m : url + ": " + m;
        return text + " (after " + attempts + (attempts == 1 ? " attempt)" : " attempts)");
    }
}
