package io.metalboot.appliance.systemd;

import java.lang.System.Logger.Level;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * SIGHUP as a call instead of the JVM's default for it, a shutdown: {@code systemctl reload} sends
 * it ({@code ExecReload=kill -HUP $MAINPID}). The JDK's only way to handle a signal is
 * {@code sun.misc.Signal} (module jdk.unsupported); it is reached by reflection because naming it
 * makes javac warn ("internal proprietary API"), which this build's {@code -Werror} refuses.
 */
public final class HangupSignal {
    private static final System.Logger LOG = System.getLogger("metalboot");

    private HangupSignal() {
    }

    /**
     * Runs {@code action} on each SIGHUP, on the JVM's thread for that signal (so it should only
     * hand the work on). Where that cannot be, logs that reload is unavailable and carries on.
     */
    public static void onHangup(Runnable action) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object onSignal = Proxy.newProxyInstance(handler.getClassLoader(), new Class<?>[] {handler},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            action.run();
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> "SIGHUP handler"; // toString, the one other method of Object a proxy gets
                    });
            Object before = signal.getMethod("handle", signal, handler).invoke(null, signal.getConstructor(String.class)
                    .newInstance("HUP"), onSignal);
            if (before == handler.getField("SIG_IGN").get(null)) {
                // The JVM leaves an ignored SIGHUP ignored: the handler is recorded, never called.
                LOG.log(Level.WARNING, "reload on SIGHUP is unavailable: SIGHUP is ignored in this process "
                        + "(started under nohup?)");
            }
        } catch (ReflectiveOperationException e) {
            // No sun.misc.Signal (a runtime without jdk.unsupported), or the JVM keeps SIGHUP to itself (-Xrs).
            Throwable why = e instanceof InvocationTargetException ? e.getCause() : e;
            LOG.log(Level.WARNING, "reload on SIGHUP is unavailable (" + why + "); SIGHUP is not a reload");
        }
    }
}
