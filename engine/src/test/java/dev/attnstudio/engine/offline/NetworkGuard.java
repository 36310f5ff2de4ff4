package dev.attnstudio.engine.offline;

import java.net.SocketPermission;
import java.security.Permission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * While open, every attempt by Java code in this JVM to open a connection, accept one, listen, or look a host up is
 * recorded and refused (a {@link SecurityException} thrown where the socket would open). It is a JVM-wide
 * {@link SecurityManager} that permits everything else; on Java 17 installing one is deprecated but works (a warning
 * is printed once). It sees Java sockets of every kind (java.net, NIO channels, HttpClient, URLConnection); native
 * code that opens sockets itself is outside its view, so the engine's natives are also checked by running the suite
 * under {@code unshare -n} where that is permitted (see the report).
 */
@SuppressWarnings({"removal", "deprecation"})
public final class NetworkGuard implements AutoCloseable {

    /** One refused attempt: what was asked for and where from. */
    public record Attempt(String target, String actions, String caller) {
        @Override
        public String toString() {
            return actions + " " + target + " from " + caller;
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
                    String caller = Arrays.stream(new Throwable().getStackTrace()).skip(2)
                            .filter(f -> !f.getClassName().startsWith("java.") && !f.getClassName().startsWith("sun.")
                                    && !f.getClassName().startsWith("jdk."))
                            .findFirst().map(StackTraceElement::toString).orElse("the JDK");
                    synchronized (attempts) {
                        attempts.add(new Attempt(perm.getName(), perm.getActions(), caller));
                    }
                    throw new SecurityException("network access refused by the test's NetworkGuard: "
                            + perm.getActions() + " " + perm.getName());
                }
            }

            @Override
            public void checkPermission(Permission perm, Object context) {
                checkPermission(perm);
            }
        });
    }

    /** Installs the guard; close it to remove it. */
    public static NetworkGuard install() {
        return new NetworkGuard();
    }

    /** The attempts so far. */
    public List<Attempt> attempts() {
        synchronized (attempts) {
            return List.copyOf(attempts);
        }
    }

    @Override
    public void close() {
        System.setSecurityManager(previous);
    }
}
