package io.dataplatform.it;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import javax.security.auth.Subject;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.kerberos.KerberosTicket;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;

/** Kerberos logins in the test JVM with the JDK's own Krb5LoginModule, against a KDC container. */
final class Kerberos {
    private Kerberos() {}

    /**
     * Points the JVM at {@code krb5Conf}. The JDK caches krb5.conf, so it is re-read explicitly (the failsafe JVM
     * exports sun.security.krb5 for this).
     */
    static void useConfiguration(Path krb5Conf) {
        System.setProperty("java.security.krb5.conf", krb5Conf.toString());
        try {
            Class.forName("sun.security.krb5.Config").getMethod("refresh").invoke(null);
        }
        catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot refresh the Kerberos configuration", e);
        }
    }

    static Subject loginWithKeytab(String principal, Path keytab) throws LoginException {
        Map<String, String> options = new HashMap<>();
        options.put("useKeyTab", "true");
        options.put("keyTab", keytab.toString());
        options.put("principal", principal);
        options.put("storeKey", "true");
        options.put("doNotPrompt", "true");
        options.put("refreshKrb5Config", "true");
        return login(options, null);
    }

    static Subject loginWithPassword(String principal, String password) throws LoginException {
        Map<String, String> options = new HashMap<>();
        options.put("principal", principal);
        options.put("refreshKrb5Config", "true");
        return login(options, password.toCharArray());
    }

    static KerberosTicket ticketGrantingTicket(Subject subject) {
        return subject.getPrivateCredentials(KerberosTicket.class).stream()
                .filter(ticket -> ticket.getServer().getName().startsWith("krbtgt/"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no TGT in " + subject));
    }

    private static Subject login(Map<String, String> options, char[] password) throws LoginException {
        Configuration configuration = new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return new AppConfigurationEntry[] {new AppConfigurationEntry(
                        "com.sun.security.auth.module.Krb5LoginModule",
                        AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, options)};
            }
        };
        Subject subject = new Subject();
        LoginContext context = new LoginContext("platform-test", subject, callbacks -> {
            for (var callback : callbacks) {
                if (callback instanceof NameCallback name) {
                    name.setName(options.get("principal"));
                }
                else if (callback instanceof PasswordCallback passwordCallback && password != null) {
                    passwordCallback.setPassword(password);
                }
                else {
                    throw new UnsupportedCallbackException(callback);
                }
            }
        }, configuration);
        context.login();
        return subject;
    }
}
