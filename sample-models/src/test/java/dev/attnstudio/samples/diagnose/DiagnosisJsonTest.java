package dev.attnstudio.samples.diagnose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.attnstudio.engine.diagnose.Severity;
import dev.attnstudio.engine.diagnose.SpecialTokens;
import dev.attnstudio.engine.diagnose.heads.InductionProbe;
import dev.attnstudio.engine.diagnose.report.Diagnoses;
import dev.attnstudio.engine.diagnose.report.Diagnosis;
import dev.attnstudio.engine.diagnose.report.DiagnosisJson;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.intervene.MaskBug;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import dev.attnstudio.samples.SampleModels;
import dev.attnstudio.samples.train.InductionTask;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** Whole diagnoses of real models, written as JSON and validated against the committed schema. */
class DiagnosisJsonTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static JsonSchema schema() throws IOException {
        try (InputStream in = DiagnosisJson.schema()) {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        }
    }

    static Set<ValidationMessage> validate(String json) throws IOException {
        return schema().validate(JSON.readTree(json));
    }

    @Test
    void aDecoderWithABrokenMaskValidatesAndIsErrorLevel() throws IOException {
        try (LoadedModel m = SampleModels.open("induction-2l", DjlRuntime.DeviceChoice.CPU)) {
            Batch prompts = Batch.of(InductionTask.sequences(new SplittableRandom(3), 2, 10));
            Diagnoses.Options o = Diagnoses.Options.DEFAULT.withInterventions(Interventions.NONE.with(MaskBug.OFF_BY_ONE))
                    .withCard(Diagnoses.Options.DEFAULT.card().withProbe(
                            InductionProbe.forModel(m.model()).withVocabulary(0, InductionTask.TOKENS)));
            Diagnosis d = Diagnoses.of(m.name(), m.model(), m.tokenizer()::decode, List.of(prompts), o);
            String json = DiagnosisJson.write(d);
            assertEquals(Set.of(), validate(json));
            assertEquals(Severity.ERROR, d.severity(), "every mask finding is error-level");
            JsonNode tree = JSON.readTree(json);
            assertEquals("mask-bug:off-by-one", tree.at("/interventions/0").asText());
            assertEquals(8, tree.at("/card/heads").size());
            assertEquals(6, tree.at("/lens/stages").size(), "pre, mid, post of 2 layers");
            assertTrue(tree.at("/rollout/caveat").isTextual(), "a decoder's rollout carries the caveat");
            assertTrue(tree.at("/rollout/flow").isArray());
            double lastKl = tree.at("/lens/stages/5/meanKl").asDouble();
            assertEquals(0, lastKl, 1e-4, "the last resid_post through the lens is the model's own output");
        }
    }

    @Test
    void anEncoderAndAnEncoderDecoderValidateToo() throws IOException {
        try (LoadedModel m = SampleModels.open("all-minilm-l6-v2", DjlRuntime.DeviceChoice.CPU)) {
            Tokenizer.Tokens a = m.tokenizer().encode("Where is the station?");
            Diagnosis d = Diagnoses.of(m.name(), m.model(), null, List.of(Batch.of(a.ids())),
                    Diagnoses.Options.DEFAULT.withCard(Diagnoses.Options.DEFAULT.card().withSpecial(SpecialTokens.of(a))));
            String json = DiagnosisJson.write(d);
            assertEquals(Set.of(), validate(json));
            assertTrue(JSON.readTree(json).get("lens").isNull(), "an encoder has no lens");
            assertTrue(JSON.readTree(json).at("/card/baseLoss").isNull(), "nor a loss (NaN is written as null)");
        }
        try (LoadedModel m = SampleModels.open("reverse-t5", DjlRuntime.DeviceChoice.CPU)) {
            long[] src = m.tokenizer().encode("attention").ids();
            Batch b = Batch.encoderDecoder(src, new long[] {m.model().capabilities().decoderStartToken(), src[2], src[1]});
            // a short probe: reverse-t5's decoder bias (32 buckets, max distance 16) is only defined below distance 16
            InductionProbe probe = new InductionProbe(6, 2, 4, 0, 0, m.config().vocabSize(), -1);
            Diagnosis d = Diagnoses.of(m.name(), m.model(), m.tokenizer()::decode, List.of(b),
                    Diagnoses.Options.DEFAULT.withCard(Diagnoses.Options.DEFAULT.card().withProbe(probe)));
            assertEquals(Set.of(), validate(DiagnosisJson.write(d)));
            assertTrue(d.card().heads().stream().anyMatch(h -> h.site().equals("cross")));
        }
    }

    @Test
    void theSchemaRejectsAReportWithAMissingOrWrongField() throws IOException {
        try (LoadedModel m = SampleModels.open("random-gpt2-tiny", DjlRuntime.DeviceChoice.CPU)) {
            Diagnosis d = Diagnoses.of(m.name(), m.model(), null, List.of(Batch.of(new long[] {1, 2, 3, 4})),
                    Diagnoses.Options.DEFAULT);
            ObjectNode tree = (ObjectNode) JSON.readTree(DiagnosisJson.write(d));
            assertEquals(Set.of(), schema().validate(tree));
            ObjectNode missing = tree.deepCopy();
            missing.remove("card");
            assertFalse(schema().validate(missing).isEmpty());
            ObjectNode wrong = tree.deepCopy();
            wrong.put("severity", "FATAL");
            assertFalse(schema().validate(wrong).isEmpty());
        }
    }
}
