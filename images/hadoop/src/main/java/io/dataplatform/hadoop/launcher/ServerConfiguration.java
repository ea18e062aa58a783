package io.dataplatform.hadoop.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.dataplatform.hadoop.config.ClientConfiguration;
import io.dataplatform.hadoop.config.Setting;
import io.dataplatform.hadoop.config.Template;
import io.dataplatform.hadoop.config.Variables;
import org.apache.hadoop.conf.Configuration;

import static io.dataplatform.hadoop.config.Setting.optional;
import static io.dataplatform.hadoop.config.Setting.required;
import static io.dataplatform.hadoop.config.Setting.secret;

/**
 * The HDFS daemons' configuration: the platform's client files plus {@code hadoop-server.xml} (loaded after
 * hdfs-site.xml, so it wins), {@code ssl-server.xml} and {@code hadoop-policy.xml}.
 */
final class ServerConfiguration {
    static final String SERVER_RESOURCE = "hadoop-server.xml";

    private static final String PATH = "/[A-Za-z0-9._/-]+";
    private static final String PATHS = PATH + "(," + PATH + ")*";
    private static final String NAME = "[a-z_][a-z0-9_.-]*";
    private static final String HOST = "[A-Za-z0-9.:-]+(/[0-9]{1,3})?";

    static final List<Setting> SETTINGS = List.of(
            optional("HDFS_KEYTAB", "/etc/security/keytabs/hdfs.keytab", PATH,
                    "the keytab with this host's nn/ or dn/ principal and its HTTP/ principal"),
            optional("HADOOP_SSL_KEYSTORE", "/etc/security/ssl/keystore.p12", PATH,
                    "the PKCS#12 keystore with this host's HTTPS certificate and key"),
            secret("HADOOP_SSL_KEYSTORE_PASSWORD", "[^\\s]{6,}",
                    "the password of the keystore and of its key, at least 6 characters"),
            optional("HDFS_NAME_DIR", "/var/lib/hadoop/name", PATHS,
                    "the NameNode's metadata directories, comma-separated absolute paths"),
            optional("HDFS_DATA_DIR", "/var/lib/hadoop/data", PATHS,
                    "the DataNode's block directories, comma-separated absolute paths"),
            optional("HDFS_SUPERGROUP", "supergroup", NAME, "the HDFS superuser group"),
            optional("HDFS_USER_GROUPS", "", "(" + NAME + "=(" + NAME + "(," + NAME + ")*)?;)*",
                    "static group mapping, e.g. 'alice=analysts,etl;bob=analysts;'"),
            optional("HDFS_HEARTBEAT_SECONDS", "3", "[1-9][0-9]{0,2}", "the DataNode heartbeat interval in seconds"),
            optional("HDFS_DEAD_NODE_RECHECK_MS", "300000", "[1-9][0-9]{2,8}",
                    "how often the NameNode looks for dead DataNodes, in ms (dead after 2 × this + 10 heartbeats)"),
            optional("HDFS_SAFEMODE_EXTENSION_MS", "30000", "0|[1-9][0-9]{0,8}",
                    "how long the NameNode stays in safe mode after enough blocks are reported, in ms"),
            optional("HDFS_OPA_URL", "", "(https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?)?",
                    "OPA's address (http://host:port), which then decides every access (hdfs-opa-authorizer); "
                            + "empty: HDFS permissions and ACLs alone"),
            optional("HDFS_OPA_CACHE_SECONDS", "30", "[1-9][0-9]{0,4}",
                    "how long the NameNode reuses an OPA decision, in seconds"),
            optional("HDFS_PROXY_USERS", "", "(" + NAME + "=(\\*|" + NAME + "(," + NAME + ")*);)*",
                    "the services that may act for their users (impersonation), each with the groups of the users it "
                            + "may act for or *, e.g. 'trino=*;' or 'trino=analysts,team-sales;'"),
            optional("HDFS_PROXY_HOSTS", "*", "\\*|" + HOST + "(," + HOST + ")*",
                    "where those services may connect from: * or comma-separated hosts, addresses or CIDR ranges"));

    /** Where the server template takes one proxy-user block per service of HDFS_PROXY_USERS. */
    static final String PROXY_USERS_MARKER = "<!-- proxy users of HDFS_PROXY_USERS -->";

    private ServerConfiguration() {}

    static Variables variables(Map<String, String> environment) {
        return ClientConfiguration.variables(environment).read(SETTINGS);
    }

    /**
     * What a daemon reads, loaded from the prepared directory itself: core-site.xml, hdfs-site.xml, then the server
     * file over them.
     */
    static Configuration load(Path directory) {
        Configuration configuration = new Configuration(false);
        for (String file : List.of("core-site.xml", "hdfs-site.xml", SERVER_RESOURCE)) {
            configuration.addResource(new org.apache.hadoop.fs.Path(directory.resolve(file).toUri()));
        }
        return configuration;
    }

    /** The daemons' files; the server file carries the proxy-user rules of {@code variables}' HDFS_PROXY_USERS. */
    static List<Template> templates(Variables variables) {
        List<Template> templates = new ArrayList<>(ClientConfiguration.templates());
        Template server = Template.resource(ServerConfiguration.class, SERVER_RESOURCE);
        templates.add(new Template(SERVER_RESOURCE, server.text().replace(PROXY_USERS_MARKER,
                proxyUsers(variables.value("HDFS_PROXY_USERS").orElse("")))));
        templates.add(Template.resource(ServerConfiguration.class, "ssl-server.xml"));
        templates.add(Template.resource(ServerConfiguration.class, "hadoop-policy.xml"));
        return templates;
    }

    /**
     * Hadoop's proxy-user rules ({@code hadoop.proxyuser.<service>.groups/hosts}) for 'trino=*;spark=etl,sales;':
     * which users each service may act for (by group) and from where ({@code ${HDFS_PROXY_HOSTS}}).
     */
    static String proxyUsers(String services) {
        StringBuilder properties = new StringBuilder();
        for (String entry : services.split(";")) {
            if (entry.isEmpty()) {
                continue;
            }
            String service = entry.substring(0, entry.indexOf('='));
            String groups = entry.substring(entry.indexOf('=') + 1);
            properties.append("""
                    <property>
                            <name>hadoop.proxyuser.%1$s.groups</name>
                            <value>%2$s</value>
                        </property>
                        <property>
                            <name>hadoop.proxyuser.%1$s.hosts</name>
                            <value>${HDFS_PROXY_HOSTS}</value>
                        </property>
                        """.formatted(service, groups));
        }
        return properties.toString().stripTrailing();
    }
}
