package io.zarrfetch.store;

import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Local file errors in words. The JDK's file exceptions often carry only the path ({@code AccessDeniedException:
 * /data/x}): these say the cause, "permission denied", "not a folder", "no space left on device", as the system
 * did.
 */
public final class FileErrors {
    private FileErrors() {
    }

    /** What went wrong, in words, without the path. */
    public static String cause(Throwable e) {
        return switch (e) {
            case AccessDeniedException x -> "permission denied";
            case NoSuchFileException x -> "no such file or folder";
            case NotDirectoryException x -> "not a folder";
            case FileAlreadyExistsException x -> "a file or folder is in the way";
            case DirectoryNotEmptyException x -> "the folder is not empty";
            case FileSystemLoopException x -> "the links loop";
            case AtomicMoveNotSupportedException x -> "it cannot be renamed in place (another file system?)";
            case FileSystemException x when x.getReason() != null -> words(x.getReason());
            // What the JDK says when a write to a memory-mapped file finds no disk space behind it (SIGBUS).
            case InternalError x when String.valueOf(x.getMessage()).contains("unsafe memory access") ->
                "no space left on device (a write to a memory-mapped file failed)";
            default -> e.getMessage() != null && !e.getMessage().isBlank() ? words(e.getMessage())
                    : e.getClass().getSimpleName();
        };
    }

    /** {@code PATH: cause}, the path being the one the exception names, if any. */
    public static String describe(Throwable e) {
        if (e instanceof FileSystemException fs && fs.getFile() != null) {
            return fs.getFile() + (fs.getOtherFile() != null ? " -> " + fs.getOtherFile() : "") + ": " + cause(e);
        }
        return cause(e);
    }

    /** {@code PATH: cause}, for an error in an operation on {@code path}. */
    public static String describe(Path path, Throwable e) {
        return path + ": " + cause(e);
    }

    /**
     * {@code cannot write TARGET: cause}, and where, when a folder on the way to {@code target} failed rather than
     * the file (or a temporary file beside it).
     */
    public static String cannotWrite(Path target, Throwable e) {
        String at = "";
        if (e instanceof FileSystemException fs && fs.getFile() != null) {
            Path failed = Path.of(fs.getFile()).toAbsolutePath();
            Path t = target.toAbsolutePath();
            if (!failed.equals(t) && t.startsWith(failed)) {
                at = " (at " + failed + ")";
            }
        }
        return "cannot write " + target + ": " + cause(e) + at;
    }

    /** The system's words ("Not a directory"), in lower case and with this project's "folder". */
    private static String words(String reason) {
        String r = reason.strip();
        if (r.length() > 1 && Character.isUpperCase(r.charAt(0)) && !Character.isUpperCase(r.charAt(1))) {
            r = r.substring(0, 1).toLowerCase(Locale.ROOT) + r.substring(1);
        }
        return r.replace("directory", "folder");
    }
}
