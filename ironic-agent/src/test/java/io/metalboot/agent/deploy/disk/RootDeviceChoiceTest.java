package io.metalboot.agent.deploy.disk;

import static io.metalboot.agent.deploy.disk.TestDisks.GIB;
import static io.metalboot.agent.deploy.disk.TestDisks.disk;
import static io.metalboot.agent.deploy.disk.TestDisks.removable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.agent.deploy.disk.TargetDiskException.Reason;
import io.metalboot.machine.inventory.Disk;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** TargetDiskChooser: the safety rules, the default choice, hints, refusals. */
class RootDeviceChoiceTest {
    private static final Disk SMALL = disk("/dev/sda", 2 * GIB);
    private static final Disk FOUR = disk("/dev/vda", 4 * GIB);
    private static final Disk EIGHT = disk("/dev/vdb", 8 * GIB, "/dev/disk/by-path/pci-0000:00:04.0");
    private static final Disk EIGHT_TOO = disk("/dev/vdc", 8 * GIB);
    private static final Disk BIG = disk("/dev/sdb", 100 * GIB);
    private static final Disk LOOP0 = disk("/dev/loop0", 8 * GIB);
    private static final Disk LOOP1 = disk("/dev/loop1", 10 * GIB);
    private static final Disk USB = removable("/dev/sdc", 5 * GIB);

    private static Disk choose(List<Disk> disks, Map<String, ?> hints, TargetDiskPolicy policy)
            throws TargetDiskException {
        return TargetDiskChooser.choose(disks, Optional.of(RootDeviceHints.parse(hints)), 0, policy);
    }

    private static TargetDiskException refused(List<Disk> disks, Map<String, ?> hints, long image,
            TargetDiskPolicy policy) {
        return assertThrows(TargetDiskException.class,
                () -> TargetDiskChooser.choose(disks, Optional.of(RootDeviceHints.parse(hints)), image, policy));
    }

    static Stream<Arguments> choices() {
        TargetDiskPolicy none = TargetDiskPolicy.NONE;
        return Stream.of(
                // no hint: the smallest of at least 4 GiB, by size then name (IPA's guess_root_disk)
                Arguments.of("smallest of 4 GiB, 2 GiB ignored", List.of(BIG, SMALL, EIGHT, FOUR), Map.of(), none, FOUR),
                Arguments.of("ties by name", List.of(BIG, SMALL, EIGHT_TOO, EIGHT), Map.of(), none, EIGHT),
                // never loop or removable by default, whatever their size
                Arguments.of("no loop, no removable", List.of(LOOP0, USB, BIG), Map.of(), none, BIG),
                // hints: the first matching in the order given, no minimum size
                Arguments.of("first match, not smallest", List.of(BIG, EIGHT, FOUR), Map.of("size", ">= 4"), none, BIG),
                Arguments.of("hints have no minimum", List.of(BIG, SMALL), Map.of("name", "sda"), none, SMALL),
                // the allow list, as tests use it: loop devices named explicitly
                Arguments.of("allow a loop device", List.of(BIG, LOOP0, LOOP1), Map.of(),
                        TargetDiskPolicy.allowOnly("loop1"), LOOP1),
                Arguments.of("allow two, smallest", List.of(BIG, LOOP1, LOOP0), Map.of(),
                        TargetDiskPolicy.allowOnly("/dev/loop0", "loop1"), LOOP0),
                Arguments.of("allow, then hints", List.of(BIG, LOOP0, LOOP1), Map.of("size", 10),
                        TargetDiskPolicy.allowOnly("loop0", "loop1"), LOOP1),
                Arguments.of("allow removable", List.of(BIG, USB), Map.of(), TargetDiskPolicy.allowOnly("sdc"), USB),
                Arguments.of("allow by by-path link", List.of(FOUR, EIGHT, BIG), Map.of(),
                        TargetDiskPolicy.allowOnly("/dev/disk/by-path/pci-0000:00:04.0"), EIGHT),
                // the deny list
                Arguments.of("deny the smallest", List.of(FOUR, EIGHT, BIG), Map.of(), TargetDiskPolicy.denying("vda"),
                        EIGHT),
                Arguments.of("deny by by-path link", List.of(EIGHT, BIG), Map.of(),
                        TargetDiskPolicy.denying("/dev/disk/by-path/pci-0000:00:04.0"), BIG));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void choices(String what, List<Disk> disks, Map<String, ?> hints, TargetDiskPolicy policy, Disk expected)
            throws TargetDiskException {
        assertEquals(expected, choose(disks, hints, policy));
    }

    @Test
    void noHintsIsEmptyHints() throws TargetDiskException {
        List<Disk> disks = List.of(BIG, SMALL, EIGHT);
        assertEquals(EIGHT, TargetDiskChooser.choose(disks, Optional.empty(), 0, TargetDiskPolicy.NONE));
        assertEquals(EIGHT, TargetDiskChooser.choose(disks, Optional.of(RootDeviceHints.NONE), 0,
                TargetDiskPolicy.NONE));
    }

    @Test
    void theImageMayFillTheDisk() throws TargetDiskException {
        assertEquals(FOUR, TargetDiskChooser.choose(List.of(FOUR), Optional.empty(), 4 * GIB, TargetDiskPolicy.NONE));
    }

    @Test
    void aHintThatMatchesNothingListsEveryDisk() {
        Disk sda = TestDisks.SDA;
        TargetDiskException e = refused(List.of(sda, TestDisks.VDA, USB, LOOP0),
                Map.of("model", "<in> intel", "size", ">= 20"), 0, TargetDiskPolicy.NONE);
        assertEquals(Reason.NO_DISK_MATCHES_HINTS, e.reason());
        assertEquals("no disk matches the root-device hints {size=>= 20, model=<in> intel}; the disks:\n"
                + "  /dev/sda 10 GiB (10737418240 bytes), model 'Samsung SSD 870', serial 'S5Y1NX0R': does not match"
                + " size=>= 20 (size 10 GiB), model=<in> intel (model 'Samsung SSD 870')\n"
                + "  /dev/vda 30 GiB (32212254720 bytes), model none, serial 'DISK-A-0001': does not match"
                + " model=<in> intel (model none)\n"
                + "  /dev/sdc 5 GiB (5368709120 bytes), model 'Cruzer Blade', serial '4C530001': removable media"
                + " (not on the allow list)\n"
                + "  /dev/loop0 8 GiB (8589934592 bytes), model none, serial none: a loop device (not on the allow"
                + " list)", e.getMessage());
        assertEquals(4, e.candidates().size());
    }

    @Test
    void aHintNamingAnExcludedDiskMatchesNothing() {
        TargetDiskException e = refused(List.of(USB, FOUR), Map.of("name", "/dev/sdc"), 0, TargetDiskPolicy.NONE);
        assertEquals(Reason.NO_DISK_MATCHES_HINTS, e.reason());
        assertTrue(e.getMessage().contains("/dev/sdc 5 GiB (5368709120 bytes), model 'Cruzer Blade', serial"
                + " '4C530001': removable media"), e.getMessage());
        e = refused(List.of(EIGHT, FOUR), Map.of("name", "vda"), 0, TargetDiskPolicy.denying("/dev/vda"));
        assertTrue(e.getMessage().contains("/dev/vda 4 GiB (4294967296 bytes), model none, serial none: on the deny"
                + " list"), e.getMessage());
        assertTrue(e.getMessage().contains("/dev/vdb 8 GiB (8589934592 bytes), model none, serial none: does not"
                + " match name=s== /dev/vda (name '/dev/vdb')"), e.getMessage());
    }

    @Test
    void noDiskOfFourGib() {
        TargetDiskException e = refused(List.of(SMALL, disk("/dev/sdz", 4 * GIB - 512)), Map.of(), 0,
                TargetDiskPolicy.NONE);
        assertEquals(Reason.NO_DISK_LARGE_ENOUGH, e.reason());
        assertEquals("no root-device hints, and no disk of at least 4 GiB (4294967296 bytes) to choose; the disks:\n"
                + "  /dev/sda 2 GiB (2147483648 bytes), model none, serial none: smaller than 4 GiB (4294967296 bytes)\n"
                + "  /dev/sdz 4 GiB (4294966784 bytes), model none, serial none: smaller than 4 GiB (4294967296 bytes)",
                e.getMessage());
    }

    @Test
    void noCandidate() {
        TargetDiskException e = refused(List.of(LOOP0, USB, BIG), Map.of(), 0,
                new TargetDiskPolicy(List.of("loop0"), List.of("loop0")));
        assertEquals(Reason.NO_CANDIDATE, e.reason());
        assertEquals("no disk may be written (no root-device hints, allow list [/dev/loop0], deny list [/dev/loop0]);"
                + " the disks:\n"
                + "  /dev/loop0 8 GiB (8589934592 bytes), model none, serial none: on the deny list\n"
                + "  /dev/sdc 5 GiB (5368709120 bytes), model 'Cruzer Blade', serial '4C530001': not on the allow list\n"
                + "  /dev/sdb 100 GiB (107374182400 bytes), model none, serial none: not on the allow list",
                e.getMessage());
        e = refused(List.of(), Map.of(), 0, TargetDiskPolicy.NONE);
        assertEquals("no disk may be written (no root-device hints, no allow or deny list); the machine has no disks",
                e.getMessage());
    }

    @Test
    void theChosenDiskTooSmallForTheImage() {
        TargetDiskException e = refused(List.of(TestDisks.SDA, BIG), Map.of("name", "sda"), 12 * GIB,
                TargetDiskPolicy.NONE);
        assertEquals(Reason.IMAGE_LARGER_THAN_DISK, e.reason());
        assertTrue(e.getMessage().startsWith("the image needs 12 GiB (12884901888 bytes) and /dev/sda, the disk chosen"
                + " by root-device hints {name=s== /dev/sda}, has 10 GiB (10737418240 bytes); the disks:\n"
                + "  /dev/sda 10 GiB (10737418240 bytes), model 'Samsung SSD 870', serial 'S5Y1NX0R': chosen, and too"
                + " small for the image\n"), e.getMessage());
        // without hints, as IPA: the smallest of 4 GiB is chosen, whatever the image; no other disk is tried
        e = refused(List.of(FOUR, BIG), Map.of(), 4 * GIB + 1, TargetDiskPolicy.NONE);
        assertEquals(Reason.IMAGE_LARGER_THAN_DISK, e.reason());
        assertTrue(e.getMessage().startsWith("the image needs 4 GiB (4294967297 bytes) and /dev/vda, the disk chosen by"
                + " no root-device hints, has 4 GiB (4294967296 bytes)"), e.getMessage());
        assertTrue(e.getMessage().endsWith("/dev/sdb 100 GiB (107374182400 bytes), model none, serial none: larger than"
                + " /dev/vda"), e.getMessage());
    }

    @Test
    void policyEntries() {
        TargetDiskPolicy policy = new TargetDiskPolicy(List.of(" sda", "/dev/disk/by-path/pci-0000:00:04.0",
                "cciss/c0d0"), List.of());
        assertEquals(List.of("/dev/sda", "/dev/disk/by-path/pci-0000:00:04.0", "/dev/cciss/c0d0"), policy.allow());
        assertTrue(policy.allowListed(EIGHT));
        for (String bad : new String[] {"", "  ", "/tmp/disk.img", "/dev/"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TargetDiskPolicy.allowOnly(bad));
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class,
                () -> TargetDiskChooser.choose(List.of(FOUR), Optional.empty(), -1, TargetDiskPolicy.NONE));
    }
}
