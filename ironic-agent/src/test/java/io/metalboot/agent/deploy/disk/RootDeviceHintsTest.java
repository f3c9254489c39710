package io.metalboot.agent.deploy.disk;

import static io.metalboot.agent.deploy.disk.TestDisks.ALL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.machine.inventory.Disk;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each hint alone against five disks (TestDisks: sda 10 GiB, sdb 20 GiB, nvme0n1 10.5 GiB, vda 30 GiB,
 * sdc 40 GiB); the expected disks are those Ironic's matcher keeps, but where RootDeviceHints says
 * metalboot differs (marked "metalboot:").
 */
class RootDeviceHintsTest {
    private static Arguments row(String key, Object expression, String... expected) {
        return Arguments.of(key, expression, List.of(expected));
    }

    static Stream<Arguments> oneHint() {
        return Stream.of(
                // size: GiB, numeric operators, the default ==, the legacy = (>=)
                row("size", 10, "/dev/sda"),
                row("size", "10", "/dev/sda"),
                row("size", " == 10 ", "/dev/sda"),
                row("size", "11"),
                row("size", "!= 10", "/dev/sdb", "/dev/nvme0n1", "/dev/vda", "/dev/sdc"),
                row("size", ">= 20", "/dev/sdb", "/dev/vda", "/dev/sdc"),
                row("size", ">=30", "/dev/vda", "/dev/sdc"),
                row("size", "> 20", "/dev/vda", "/dev/sdc"),
                row("size", "<= 20", "/dev/sda", "/dev/sdb", "/dev/nvme0n1"),
                row("size", "< 20", "/dev/sda", "/dev/nvme0n1"),
                row("size", "< 10"),
                row("size", "= 20", "/dev/sdb", "/dev/vda", "/dev/sdc"),
                row("size", "=10", "/dev/sda", "/dev/sdb", "/dev/nvme0n1", "/dev/vda", "/dev/sdc"),
                // metalboot: <or> on size compares numbers (IPA: never matches)
                row("size", "<or> 10 <or> 30", "/dev/sda", "/dev/vda"),
                // metalboot: <range-in> on size as Ironic's documentation has it (IPA: refused)
                row("size", "<range-in> [ 10 20 ]", "/dev/sda", "/dev/sdb", "/dev/nvme0n1"),
                row("size", "<range-in> [10 20]", "/dev/sda", "/dev/sdb", "/dev/nvme0n1"),
                row("size", "<range-in> ( 10 20 ]", "/dev/sdb", "/dev/nvme0n1"),
                row("size", "<range-in> [ 10 20 )", "/dev/sda", "/dev/nvme0n1"),
                row("size", "<range-in> ( 10 20 )", "/dev/nvme0n1"),
                row("size", "<range-in> [ 10.5 10.5 ]", "/dev/nvme0n1"),
                row("size", "<RANGE-IN> ( 0 100 )", "/dev/sda", "/dev/sdb", "/dev/nvme0n1", "/dev/vda", "/dev/sdc"),
                // text: no operator is s==; values and disk values are stripped and lower-cased
                row("model", "samsung ssd 870", "/dev/sda"),
                row("model", "  SAMSUNG SSD 870 ", "/dev/sda"),
                row("model", "samsung  ssd 870"),
                row("model", "s== Samsung SSD 870", "/dev/sda"),
                row("model", "S==samsung ssd 870", "/dev/sda"),
                // metalboot: vda has no model and fails these (IPA compares the text "none" and keeps it)
                row("model", "s!= samsung ssd 870", "/dev/sdb", "/dev/nvme0n1", "/dev/sdc"),
                row("model", "s< samsung ssd 980", "/dev/sda", "/dev/sdc"),
                row("model", "s<= samsung ssd 980 1tb", "/dev/sda", "/dev/nvme0n1", "/dev/sdc"),
                // string ordering
                row("model", "s> samsung ssd 870", "/dev/sdb", "/dev/nvme0n1"),
                row("model", "s>= samsung ssd 870", "/dev/sda", "/dev/sdb", "/dev/nvme0n1"),
                row("model", "<in> samsung", "/dev/sda", "/dev/nvme0n1"),
                row("model", "<in> SSD 9", "/dev/nvme0n1"),
                // compared percent-encoded, as Ironic compares them: a space is "%20"
                row("model", "<in> 20", "/dev/sda", "/dev/nvme0n1", "/dev/sdc"),
                row("model", "<or> st4000nm0035-1v4 <or> logical volume", "/dev/sdb", "/dev/sdc"),
                row("model", "<or> model 5 <or> foomodel <or> samsung ssd 870 <or>", "/dev/sda"),
                // metalboot: <all-in>, every token a substring (IPA: fails on a string)
                row("model", "<all-in> samsung ssd", "/dev/sda", "/dev/nvme0n1"),
                row("model", "<all-in> 1tb samsung", "/dev/nvme0n1"),
                row("serial", "zc1abcde", "/dev/sdb"),
                row("serial", "s== ZC1ABCDE", "/dev/sdb"),
                row("serial", "<in> disk-", "/dev/vda"),
                row("vendor", "ata", "/dev/sda", "/dev/sdb"),
                row("vendor", "<in> 0x1a", "/dev/vda"),
                // metalboot: no value fails every operator (IPA compares "none": s!= would match vda)
                row("vendor", "s!= ata", "/dev/vda", "/dev/sdc"),
                row("wwn", "0x5000C500A1B2C3D4", "/dev/sdb"),
                row("wwn", "eui.0025388b71b0bd4d", "/dev/nvme0n1"),
                row("wwn_with_extension", "0x600508b1001c4d1e2f3a4b5c6d7e8f90", "/dev/sdc"),
                row("wwn_vendor_extension", "0x2f3a4b5c6d7e8f90", "/dev/sdc"),
                row("wwn_vendor_extension", "s!= 0x0", "/dev/sdc"),
                // name: with /dev/ as Ironic; metalboot: without it too
                row("name", "/dev/sda", "/dev/sda"),
                row("name", "sda", "/dev/sda"),
                row("name", "s== NVME0N1", "/dev/nvme0n1"),
                row("name", "<or> sda <or> /dev/vda", "/dev/sda", "/dev/vda"),
                row("name", "s!= sda", "/dev/sdb", "/dev/nvme0n1", "/dev/vda", "/dev/sdc"),
                row("name", "<in> nvme", "/dev/nvme0n1"),
                // by_path: the whole link path, as Ironic compares it; the link's name alone is no match
                row("by_path", "/dev/disk/by-path/pci-0000:00:03.0", "/dev/vda"),
                row("by_path", "pci-0000:00:03.0"),
                row("by_path", "<in> pci-0000:3d:00.0", "/dev/nvme0n1"),
                row("hctl", "1:0:0:0", "/dev/sdb"),
                row("hctl", "<in> :0:0", "/dev/sda", "/dev/sdb", "/dev/sdc"),
                row("tran", "nvme", "/dev/nvme0n1"),
                row("tran", "SATA", "/dev/sda", "/dev/sdb"),
                row("tran", "<or> sas <or> nvme", "/dev/nvme0n1", "/dev/sdc"),
                row("tran", "virtio"),
                // rotational: oslo's bool_from_string
                row("rotational", true, "/dev/sdb", "/dev/vda"),
                row("rotational", "true", "/dev/sdb", "/dev/vda"),
                row("rotational", "1", "/dev/sdb", "/dev/vda"),
                row("rotational", 1, "/dev/sdb", "/dev/vda"),
                row("rotational", " Yes", "/dev/sdb", "/dev/vda"),
                row("rotational", "on", "/dev/sdb", "/dev/vda"),
                row("rotational", false, "/dev/sda", "/dev/nvme0n1", "/dev/sdc"),
                row("rotational", "False", "/dev/sda", "/dev/nvme0n1", "/dev/sdc"),
                row("rotational", "0", "/dev/sda", "/dev/nvme0n1", "/dev/sdc"),
                row("rotational", 0, "/dev/sda", "/dev/nvme0n1", "/dev/sdc"),
                row("rotational", "f", "/dev/sda", "/dev/nvme0n1", "/dev/sdc"),
                row("rotational", "no", "/dev/sda", "/dev/nvme0n1", "/dev/sdc"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource
    void oneHint(String key, Object expression, List<String> expected) {
        RootDeviceHints hints = RootDeviceHints.parse(Map.of(key, expression));
        assertEquals(expected, matching(hints));
    }

    static Stream<Arguments> severalHints() {
        return Stream.of(
                Arguments.of(Map.of("size", ">= 10", "rotational", false, "model", "<in> samsung"),
                        List.of("/dev/sda", "/dev/nvme0n1")),
                Arguments.of(Map.of("size", "> 10", "model", "<in> samsung"), List.of("/dev/nvme0n1")),
                Arguments.of(Map.of("size", "<= 20", "model", "<or> model 5 <or> st4000nm0035-1v4",
                        "serial", "s== zc1abcde"), List.of("/dev/sdb")),
                Arguments.of(Map.of("size", 30, "rotational", "1", "vendor", "0x1af4", "name", "vda",
                        "by_path", "/dev/disk/by-path/pci-0000:00:03.0"), List.of("/dev/vda")),
                Arguments.of(Map.of("size", 10, "rotational", true), List.of()),
                Arguments.of(Map.of("tran", "sata", "wwn", "<in> 0x5000c5", "hctl", "s>= 1:0:0:0"),
                        List.of("/dev/sdb")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void severalHints(Map<String, Object> rootDevice, List<String> expected) {
        assertEquals(expected, matching(RootDeviceHints.parse(rootDevice)));
    }

    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of(map("sizes", 10), "root-device hint 'sizes' is not one of Ironic's: size, model, wwn,"),
                Arguments.of(map("size", "ten"), "size='ten' is not an integer of GiB"),
                Arguments.of(map("size", 0), "size=0 is not a positive integer"),
                Arguments.of(map("size", "-5"), "size='-5' is not an integer"),
                Arguments.of(map("size", 10.5), "size=10.5 is not an integer"),
                Arguments.of(map("size", 10.0), "size=10.0 is not an integer"),
                Arguments.of(map("size", "10 GiB"), "size='10 GiB' is not an integer"),
                Arguments.of(map("size", true), "size=true is not an integer"),
                Arguments.of(map("size", ""), "size='' is empty"),
                Arguments.of(map("size", "s== 10"), "size='s== 10' uses s==, a text operator"),
                Arguments.of(map("size", "<in> 10"), "size='<in> 10' uses <in>, a text operator"),
                Arguments.of(map("size", "<all-in> 10 20"), "uses <all-in>, a text operator"),
                Arguments.of(map("size", ">="), "size='>=' is not an integer"),
                Arguments.of(map("size", "<or> 10 <or> ten"), "size='<or> 10 <or> ten' is not an integer"),
                Arguments.of(map("size", "<or> >= 10 <or> 5"), "has the operator >= where a value belongs"),
                Arguments.of(map("size", "<range-in> [ 20 10 ]"), "has a lower bound above its upper bound"),
                Arguments.of(map("size", "<range-in> [ 10 20"), "is not <range-in> followed by"),
                Arguments.of(map("size", "<range-in> { 10 20 }"), "is not <range-in> followed by"),
                Arguments.of(map("size", "<range-in> [ 10 20 30 ]"), "is not <range-in> followed by"),
                Arguments.of(map("model", 123), "model=123 is not a string"),
                Arguments.of(map("name", List.of("/dev/sda")), "name=[/dev/sda] is not a string"),
                Arguments.of(map("serial", "   "), "serial='   ' is empty"),
                Arguments.of(map("serial", null), "serial=null has no value"),
                Arguments.of(map("model", ">= 10"), "model='>= 10' uses >=, a numeric operator"),
                Arguments.of(map("model", "= foo"), "uses =, a numeric operator"),
                Arguments.of(map("model", "<range-in> [ a b ]"), "uses <range-in>, a numeric operator"),
                Arguments.of(map("model", "s=="), "model='s==' has no value after s=="),
                Arguments.of(map("model", "<in>  "), "has no value after <in>"),
                Arguments.of(map("model", "<or>"), "has no alternatives after <or>"),
                Arguments.of(map("model", "<or> s== a <or> b"), "has the operator s== where a value belongs"),
                Arguments.of(map("model", "<or> a <or> <in> b"), "has the operator <in> where a value belongs"),
                Arguments.of(map("model", "s== <in> b"), "has the operator <in> where a value belongs"),
                Arguments.of(map("rotational", "maybe"), "rotational='maybe' is not a boolean"),
                Arguments.of(map("rotational", 2), "rotational=2 is not a boolean"),
                Arguments.of(map("rotational", 1.0), "rotational=1.0 is not a boolean"),
                Arguments.of(map("rotational", "s== true"), "rotational='s== true' is not a boolean"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void refusals(Map<String, Object> rootDevice, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RootDeviceHints.parse(rootDevice));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void noHintsIsNone() {
        assertSame(RootDeviceHints.NONE, RootDeviceHints.parse(null));
        assertSame(RootDeviceHints.NONE, RootDeviceHints.parse(Map.of()));
        assertTrue(RootDeviceHints.NONE.isEmpty());
        assertTrue(ALL.stream().allMatch(RootDeviceHints.NONE::matches));
    }

    @Test
    void expressionsAsIronicNormalisesThem() {
        Map<String, Object> rootDevice = new HashMap<>(Map.of("size", 10, "model", "Big Model", "name", "sda",
                "rotational", "YES", "serial", "<OR> a <or> B <or>", "vendor", "S>=ATA"));
        RootDeviceHints hints = RootDeviceHints.parse(rootDevice);
        assertEquals("{size=== 10, model=s== big model, serial=<or> a <or> b, vendor=s>= ata, name=s== /dev/sda,"
                + " rotational=true}", hints.toString());
        assertEquals(new Hint.Rotational(true, "true"), hints.get(HintKey.ROTATIONAL).orElseThrow());
        assertFalse(hints.get(HintKey.TRAN).isPresent());
        rootDevice.clear();
        assertEquals(6, hints.hints().size(), "immutable, not a view of the map");
        assertThrows(UnsupportedOperationException.class, () -> hints.hints().clear());
    }

    @Test
    void mismatchesNameTheFailingHints() {
        RootDeviceHints hints = RootDeviceHints.parse(Map.of("size", ">= 20", "model", "<in> samsung"));
        assertEquals(List.of(HintKey.SIZE), hints.mismatches(TestDisks.NVME).stream().map(Hint::key).toList());
        assertEquals(List.of(HintKey.SIZE, HintKey.MODEL),
                hints.mismatches(TestDisks.disk("/dev/sdz", 1L << 30)).stream().map(Hint::key).toList());
        assertEquals(List.of(HintKey.MODEL), hints.mismatches(TestDisks.SDC).stream().map(Hint::key).toList());
        assertEquals("10.5 GiB", hints.get(HintKey.SIZE).orElseThrow().valueOf(TestDisks.NVME));
        assertEquals("none", hints.get(HintKey.MODEL).orElseThrow().valueOf(TestDisks.VDA));
    }

    @Test
    void quoteIsPythonsUrllibQuote() {
        assertEquals("samsung%20ssd/a_b.c-d~e%3A%25%C3%A9", HintText.quote("samsung ssd/a_b.c-d~e:%é"));
    }

    private static List<String> matching(RootDeviceHints hints) {
        return ALL.stream().filter(hints::matches).map(Disk::name).toList();
    }
}
