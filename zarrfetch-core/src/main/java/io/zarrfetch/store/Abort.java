package io.zarrfetch.store;

/**
 * A way to give up on a {@link Store#get(String, long, long, String, Abort) get} from another thread while it
 * waits for its answer: {@link #abort()} closes the request's connection, and the get fails promptly. Once the
 * get has returned, abort its {@link Body} instead. One handle per request; aborting before the request starts
 * makes it fail at once.
 */
public final class Abort {
    /** Why a read or a wait that was aborted fails. */
    static final String WHY = "the request was aborted (another request completed its bytes first, or the fetch "
            + "was cancelled)";

    private Runnable action;
    private boolean aborted;

    /** Closes the connection of the request waiting on this handle, now or as soon as it has one. */
    public void abort() {
        Runnable a;
        synchronized (this) {
            if (aborted) {
                return;
            }
            aborted = true;
            a = action;
        }
        if (a != null) {
            a.run();
        }
    }

    public synchronized boolean aborted() {
        return aborted;
    }

    /**
     * What a transport runs on abort, while it waits ({@code null} once it stops waiting); runs it at once when
     * the handle is already aborted.
     */
    void whileWaiting(Runnable onAbort) {
        boolean now;
        synchronized (this) {
            action = onAbort;
            now = aborted && onAbort != null;
        }
        if (now) {
            onAbort.run();
        }
    }
}
