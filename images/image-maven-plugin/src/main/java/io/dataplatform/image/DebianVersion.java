package io.dataplatform.image;

import java.util.Comparator;

/** Debian version ordering ({@code [epoch:]upstream[-revision]}), as dpkg compares them (deb-version(7)). */
public final class DebianVersion {
    public static final Comparator<String> ORDER = DebianVersion::compare;

    private DebianVersion() {}

    public static int compare(String left, String right) {
        Parts a = Parts.of(left);
        Parts b = Parts.of(right);
        int result = Long.compare(a.epoch(), b.epoch());
        if (result == 0) {
            result = compareSegment(a.upstream(), b.upstream());
        }
        if (result == 0) {
            result = compareSegment(a.revision(), b.revision());
        }
        return Integer.signum(result);
    }

    private static int compareSegment(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() || j < b.length()) {
            int firstDifference = 0;
            while ((i < a.length() && !Character.isDigit(a.charAt(i)))
                    || (j < b.length() && !Character.isDigit(b.charAt(j)))) {
                int ac = i < a.length() ? order(a.charAt(i)) : 0;
                int bc = j < b.length() ? order(b.charAt(j)) : 0;
                if (ac != bc) {
                    return ac - bc;
                }
                i++;
                j++;
            }
            while (i < a.length() && a.charAt(i) == '0') {
                i++;
            }
            while (j < b.length() && b.charAt(j) == '0') {
                j++;
            }
            while (i < a.length() && Character.isDigit(a.charAt(i))
                    && j < b.length() && Character.isDigit(b.charAt(j))) {
                if (firstDifference == 0) {
                    firstDifference = a.charAt(i) - b.charAt(j);
                }
                i++;
                j++;
            }
            if (i < a.length() && Character.isDigit(a.charAt(i))) {
                return 1;
            }
            if (j < b.length() && Character.isDigit(b.charAt(j))) {
                return -1;
            }
            if (firstDifference != 0) {
                return firstDifference;
            }
        }
        return 0;
    }

    /** dpkg's character weights: '~' sorts before everything, even the end; letters before other symbols. */
    private static int order(char c) {
        if (Character.isDigit(c)) {
            return 0;
        }
        if (Character.isLetter(c)) {
            return c;
        }
        if (c == '~') {
            return -1;
        }
        return c + 256;
    }

    private record Parts(long epoch, String upstream, String revision) {
        static Parts of(String version) {
            String rest = version.strip();
            long epoch = 0;
            int colon = rest.indexOf(':');
            if (colon > 0) {
                epoch = Long.parseLong(rest.substring(0, colon));
                rest = rest.substring(colon + 1);
            }
            int dash = rest.lastIndexOf('-');
            if (dash >= 0) {
                return new Parts(epoch, rest.substring(0, dash), rest.substring(dash + 1));
            }
            return new Parts(epoch, rest, "");
        }
    }
}
