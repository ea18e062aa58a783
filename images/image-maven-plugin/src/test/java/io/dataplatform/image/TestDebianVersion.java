package io.dataplatform.image;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestDebianVersion {
    @Test
    void ordersLikeDpkg() {
        assertOrdered("1.0", "1.1");
        assertOrdered("1.0~rc1", "1.0");
        assertOrdered("1.0", "1.0+deb13u1");
        assertOrdered("13.8+deb13u2", "13.8+deb13u10");
        assertOrdered("2.41-12+deb13u4", "2.41-12+deb13u5");
        assertOrdered("1.9", "1:0.1");
        assertOrdered("1.0-1", "1.0-1.1");
        assertOrdered("1.0a", "1.0b");
        assertOrdered("1.0~~", "1.0~");
        assertOrdered("2026a-0+deb13u1", "2026f-0+deb13u1");
        assertThat(DebianVersion.compare("1:1.3.dfsg+really1.3.1-1", "1:1.3.dfsg+really1.3.1-1")).isZero();
        assertThat(DebianVersion.compare("1.01", "1.1")).isZero();
    }

    private static void assertOrdered(String lower, String higher) {
        assertThat(DebianVersion.compare(lower, higher)).as("%s < %s", lower, higher).isNegative();
        assertThat(DebianVersion.compare(higher, lower)).as("%s > %s", higher, lower).isPositive();
    }
}
