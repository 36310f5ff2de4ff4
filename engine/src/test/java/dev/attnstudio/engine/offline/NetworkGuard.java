package dev.attnstudio.engine.offline;

import java.net.SocketPermission;
import java.security.Permission;
import java.util.ArrayList;
import java.util.List;

/**
 * For the no-network tests (the engine's, and through the engine's test jar the command line's and the window's): while
 * open, every attempt by Java code in this JVM, on any thread, to connect, accept, listen or look a host up is recorded
 * and refused with a {@link SecurityException} where the socket would open. It is a JVM-wide {@link SecurityManager}
 * that permits everything else (installing one is deprecated on Java 17 but works; a warning is printed once). It sees
 * every kind of Java socket (java.net, NIO channels, HttpClient, URLConnection); native code that opens sockets itself
 * is outside its view, so the engine's natives are also checked by running the suite under {@code unshare -n} where
 * that is permitted (see the report).
 */
@SuppressWarnings({"removal", "deprecation"})
public final class NetworkGuard implements AutoCloseable {

    /** One refused attempt: what was asked for, on which thread, and the first frame outside the JDK that asked. */
    public record Attempt(String actions, String target, String thread, String caller) {
        @Override
        public String toString() {
            return actions + " " + target + " on thread '" + thread + "' from " + caller;
        }
    }

    private final List<Attempt> attempts = new ArrayList<>();
    private final SecurityManager previous;

    private NetworkGuard() {
        previous = System.getSecurityManager();
        System.setSecurityManager(new SecurityManager() {
            @Override
            public void checkPermission(Permission perm) {
                if (perm instanceof SocketPermission) {
                    Attempt a = new Attempt(perm.getActions(), perm.getName(), Thread.currentThread().getName(), caller());
                    synchronized (attempts) {
                        attempts.add(a);
                    }
                    throw new SecurityException("network access refused by the test's NetworkGuard: " + a);
                }
            }

            @Override
            public void checkPermission(Permission perm, Object context) {
                checkPermission(perm);
            }
        });
    }

    /** Installs the guard for the whole JVM; close it to put back what was there before. */
    public static NetworkGuard install() {
        return new NetworkGuard();
    }

    /** The attempts so far, oldest first. */
    public List<Attempt> attempts() {
        synchronized (attempts) {
            return List.copyOf(attempts);
        }
    }

    @Override
    public void close() {
        System.setSecurityManager(previous);
    }

    private static String caller() {
        for (StackTraceElement f : new Throwable().getStackTrace()) {
            String c = f.getClassName();
            if (!c.startsWith("java.") && !c.startsWith("javax.") && !c.startsWith("sun.") && !c.startsWith("jdk.")
                    && !c.startsWith(NetworkGuard.class.getName())) {
                return f.toString();
            }
        }
        return "the JDK";
    }
}
