package io.metalboot.cloudconfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JinjaTemplateTest {
    private static final String HEAD = "## template: jinja\n";

    @Test
    void headerDecidesWhetherItIsATemplate() {
        assertTrue(JinjaTemplate.isTemplate(HEAD + "#cloud-config\n"));
        assertFalse(JinjaTemplate.isTemplate("#cloud-config\n## template: jinja\n"));
        assertFalse(JinjaTemplate.isTemplate("## template: basic\n"));
    }

    @Test
    void metaDataAndV1VariablesWithOrWithoutSpaces() throws Exception {
        String out = JinjaTemplate.render(HEAD + "a {{ds.meta_data.name}} b {{  v1.instance_id }} c {{ instance_id }}\n",
                Vectors.MACHINE);
        assertEquals("a worker-0 b " + Vectors.UUID + " c " + Vectors.UUID + "\n", out);
    }

    @Test
    void dashedKeysHaveUnderscoreAliasesAndARealKeyWins() throws Exception {
        assertEquals("metal3 worker-0", JinjaTemplate.render(HEAD
                + "{{ ds.meta_data.metal3_namespace }} {{ ds.meta_data.metal3_name }}", Vectors.MACHINE));
        InstanceData both = new InstanceData(Map.of("uuid", "u", "local-hostname", "dashed", "local_hostname", "real"));
        assertEquals("real", JinjaTemplate.render(HEAD + "{{ ds.meta_data.local_hostname }}", both));
        InstanceData dashedOnly = new InstanceData(Map.of("uuid", "u", "local-hostname", "dashed.example"));
        assertEquals("dashed.example dashed", JinjaTemplate.render(HEAD
                + "{{ ds.meta_data.local_hostname }} {{ v1.local_hostname }}", dashedOnly));
    }

    @Test
    void v1FollowsTheConfigDriveDatasource() throws Exception {
        assertEquals("worker-0 worker-0 configdrive openstack " + Vectors.UUID + " " + Vectors.UUID,
                JinjaTemplate.render(HEAD + "{{ v1.local_hostname }} {{ local_hostname }} {{ v1.cloud_name }}"
                        + " {{ v1.platform }} {{ ds.meta_data.instance_id }} {{ v1.instance_id }}", Vectors.MACHINE));
        InstanceData ip = new InstanceData(Map.of("uuid", "u", "hostname", "192.0.2.7"));
        assertEquals("ip-192-0-2-7", JinjaTemplate.render(HEAD + "{{ v1.local_hostname }}", ip));
    }

    @Test
    void nullAndScalarsPrintAsPythonDoes() throws Exception {
        Map<String, Object> meta = new HashMap<>();
        meta.put("none", null);
        meta.put("yes", true);
        meta.put("n", 42);
        assertEquals("None True 42", JinjaTemplate.render(HEAD + "{{ ds.meta_data.none }} {{ ds.meta_data.yes }}"
                + " {{ ds.meta_data.n }}", new InstanceData(meta)));
    }

    @Test
    void trailingNewlinesAndLiteralBracesStay() throws Exception {
        assertEquals("x\n\n", JinjaTemplate.render(HEAD + "x\n\n", Vectors.MACHINE));
        assertEquals("{ a } }} {x", JinjaTemplate.render(HEAD + "{ a } }} {x", Vectors.MACHINE));
        assertEquals("", JinjaTemplate.render("## template: jinja", Vectors.MACHINE));
    }

    @Test
    void aMissingVariableIsRefusedNotReplaced() {
        var e = assertThrows(CloudConfigException.Malformed.class,
                () -> JinjaTemplate.render(HEAD + "#cloud-config\nx: {{ ds.meta_data.nosuch }}\n", Vectors.MACHINE));
        assertTrue(e.getMessage().contains("ds.meta_data.nosuch"), e.getMessage());
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        assertTrue(e.getMessage().contains("CI_MISSING_JINJA_VAR"), e.getMessage());
        assertThrows(CloudConfigException.Malformed.class, () -> JinjaTemplate.render(HEAD + "{{ v1.nosuch }}",
                Vectors.MACHINE));
    }

    @Test
    void everythingElseJinjaIsUnsupportedByName() {
        assertUnsupported("{% if true %}x{% endif %}", "statement '{%'");
        assertUnsupported("{# note #}", "comment '{#'");
        assertUnsupported("{{ ds.meta_data.name | upper }}", "filter '|'");
        assertUnsupported("{{- ds.meta_data.name }}", "whitespace control");
        assertUnsupported("{{ ds.meta_data['name'] }}", "expression");
        assertUnsupported("{{ 1 + 2 }}", "expression");
        assertUnsupported("{{ v1.distro }}", "v1.distro");
        assertUnsupported("{{ ds.ec2_metadata.x }}", "ds.meta_data");
        assertUnsupported("{{ ds.meta_data }}", "mapping");
    }

    @Test
    void unclosedAndUnknownTemplateTypesAreMalformed() {
        assertThrows(CloudConfigException.Malformed.class, () -> JinjaTemplate.render(HEAD + "{{ v1.platform",
                Vectors.MACHINE));
        assertThrows(CloudConfigException.Malformed.class, () -> JinjaTemplate.render("## template: jinja2\n",
                Vectors.MACHINE));
        assertThrows(CloudConfigException.Malformed.class, () -> JinjaTemplate.render("#cloud-config\n",
                Vectors.MACHINE));
    }

    private static void assertUnsupported(String template, String named) {
        var e = assertThrows(CloudConfigException.Unsupported.class,
                () -> JinjaTemplate.render(HEAD + template, Vectors.MACHINE));
        assertTrue(e.getMessage().contains(named), e.getMessage());
    }
}
