package io.dataplatform.hdfs.authorizer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.hadoop.fs.permission.FsAction;
import org.apache.hadoop.hdfs.server.namenode.INode;
import org.apache.hadoop.hdfs.server.namenode.INodeAttributeProvider.AccessControlEnforcer;
import org.apache.hadoop.hdfs.server.namenode.INodeAttributes;
import org.apache.hadoop.security.AccessControlException;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.hadoop.thirdparty.com.google.common.cache.Cache;
import org.apache.hadoop.thirdparty.com.google.common.cache.CacheBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

/**
 * Every permission check of the NameNode, decided by OPA. A check names up to four accesses (the ancestor's, the
 * parent's, the path's own, the subtree's) and possibly the owner's rights; each is one OPA decision, cached for a
 * while. All allowed: allowed. One denied: denied. One left to HDFS permissions: HDFS's own enforcer decides the
 * whole check. The superuser and the supergroup never ask. OPA unreachable: denied, and said so in the log.
 */
final class OpaAccessControlEnforcer implements AccessControlEnforcer {
    private static final Logger LOG = LoggerFactory.getLogger(OpaAccessControlEnforcer.class);

    private final AccessControlEnforcer hdfsPermissions;
    private final OpaClient opa;
    private final Cache<OpaClient.Request, OpaClient.Decision> decisions;
    private final AtomicBoolean unreachable;

    /** The NameNode's one enforcer state; {@link #over} binds it to each check's HDFS permission checker. */
    OpaAccessControlEnforcer(OpaClient opa, Duration cacheTime, long cacheSize) {
        this(null, requireNonNull(opa, "opa is null"), CacheBuilder.newBuilder()
                .expireAfterWrite(cacheTime)
                .maximumSize(cacheSize)
                .recordStats()
                .build(), new AtomicBoolean());
    }

    private OpaAccessControlEnforcer(AccessControlEnforcer hdfsPermissions, OpaClient opa,
            Cache<OpaClient.Request, OpaClient.Decision> decisions, AtomicBoolean unreachable) {
        this.hdfsPermissions = hdfsPermissions;
        this.opa = opa;
        this.decisions = decisions;
        this.unreachable = unreachable;
    }

    /**
     * This enforcer over one HDFS permission checker (the NameNode makes one per operation), sharing the decision
     * cache. Where the policies leave a check to HDFS permissions and there is no checker, it is denied.
     */
    OpaAccessControlEnforcer over(AccessControlEnforcer hdfsPermissions) {
        return new OpaAccessControlEnforcer(hdfsPermissions, opa, decisions, unreachable);
    }

    @Override
    public void checkPermission(String fsOwner, String supergroup, UserGroupInformation caller,
            INodeAttributes[] inodeAttrs, INode[] inodes, byte[][] pathByNameArr, int snapshotId, String path,
            int ancestorIndex, boolean doCheckOwner, FsAction ancestorAccess, FsAction parentAccess, FsAction access,
            FsAction subAccess, boolean ignoreEmptyDir) throws AccessControlException {
        String user = caller.getShortUserName();
        List<String> groups = Arrays.stream(caller.getGroupNames()).sorted().toList();
        if (user.equals(fsOwner) || groups.contains(supergroup)) {
            return;
        }
        List<OpaClient.Request> requests = new ArrayList<>();
        int last = pathByNameArr.length - 1;
        if (ancestorAccess != null && ancestorAccess != FsAction.NONE) {
            requests.add(new OpaClient.Request(user, groups, pathOf(pathByNameArr, ancestorIndex),
                    nameAt(pathByNameArr, ancestorIndex + 1), actions(ancestorAccess), false));
        }
        if (parentAccess != null && parentAccess != FsAction.NONE) {
            requests.add(new OpaClient.Request(user, groups, pathOf(pathByNameArr, last - 1),
                    nameAt(pathByNameArr, last), actions(parentAccess), false));
        }
        if (access != null && access != FsAction.NONE) {
            requests.add(new OpaClient.Request(user, groups, pathOf(pathByNameArr, last), "", actions(access), false));
        }
        if (subAccess != null && subAccess != FsAction.NONE) {
            requests.add(new OpaClient.Request(user, groups, pathOf(pathByNameArr, last), "", actions(subAccess),
                    true));
        }
        if (doCheckOwner) {
            requests.add(new OpaClient.Request(user, groups, pathOf(pathByNameArr, last), "", List.of("owner"), false));
        }
        if (requests.isEmpty()) {
            // Traversal only (e.g. getFileInfo): the path's ancestors must be executable; the policies decide on
            // the path itself.
            requests.add(new OpaClient.Request(user, groups, pathOf(pathByNameArr, last), "", List.of("execute"),
                    false));
        }
        boolean permissions = false;
        for (OpaClient.Request request : requests) {
            switch (decide(request)) {
                case ALLOW -> { }
                case DENY -> throw new AccessControlException("Permission denied by the platform's policies: user=%s, "
                        .formatted(user) + "access=%s%s, path=\"%s\"".formatted(String.join(",", request.actions()),
                        request.recursive() ? " (recursive)" : "", request.path())
                        + (request.path().equals(path) ? "" : " (operation on \"%s\")".formatted(path)));
                case PERMISSIONS -> permissions = true;
            }
        }
        if (permissions) {
            if (hdfsPermissions == null) {
                throw new AccessControlException("Permission denied: no HDFS permission checker for user=%s, path=\"%s\""
                        .formatted(user, path));
            }
            hdfsPermissions.checkPermission(fsOwner, supergroup, caller, inodeAttrs, inodes, pathByNameArr, snapshotId,
                    path, ancestorIndex, doCheckOwner, ancestorAccess, parentAccess, access, subAccess,
                    ignoreEmptyDir);
        }
    }

    private OpaClient.Decision decide(OpaClient.Request request) throws AccessControlException {
        try {
            OpaClient.Decision decision = decisions.get(request, () -> opa.decide(request));
            if (unreachable.compareAndSet(true, false)) {
                LOG.info("platform authoriser: OPA at {} answers again", opa.decisionUri());
            }
            return decision;
        }
        catch (ExecutionException e) {
            Throwable cause = e.getCause();
            unreachable.set(true);
            LOG.error("platform authoriser: OPA at {} did not decide ({}): denying {} on {} to {} (fail closed)",
                    opa.decisionUri(), cause.getMessage(), String.join(",", request.actions()), request.path(),
                    request.user());
            throw new AccessControlException("Permission denied: the platform's authoriser (OPA) did not answer, "
                    + "so access is denied: user=%s, path=\"%s\"".formatted(request.user(), request.path()));
        }
    }

    /** Cache statistics for the NameNode's log. */
    String cacheStatistics() {
        return decisions.stats().toString();
    }

    static String pathOf(byte[][] components, int lastIndex) {
        if (lastIndex <= 0) {
            return "/";
        }
        StringBuilder path = new StringBuilder();
        for (int i = 1; i <= lastIndex && i < components.length; i++) {
            path.append('/').append(new String(components[i], UTF_8));
        }
        return path.toString();
    }

    /** The name of component {@code index} (1 = the first below the root), or "" past the path's end. */
    static String nameAt(byte[][] components, int index) {
        return index > 0 && index < components.length ? new String(components[index], UTF_8) : "";
    }

    /** read, write, execute: those of {@code action}, in that order. */
    static List<String> actions(FsAction action) {
        List<String> actions = new ArrayList<>();
        if (action.implies(FsAction.READ)) {
            actions.add("read");
        }
        if (action.implies(FsAction.WRITE)) {
            actions.add("write");
        }
        if (action.implies(FsAction.EXECUTE)) {
            actions.add("execute");
        }
        return actions;
    }
}
