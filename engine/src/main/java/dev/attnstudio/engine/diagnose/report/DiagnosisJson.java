package dev.attnstudio.engine.diagnose.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a {@link Diagnosis} as JSON, in the format {@link #SCHEMA_RESOURCE} describes. Numbers that do not apply are
 * NaN in the records and {@code null} in JSON (which has no NaN), as are infinities.
 */
public final class DiagnosisJson {

    /** The JSON Schema (draft 2020-12) of the report, on the class path. */
    public static final String SCHEMA_RESOURCE = "/dev/attnstudio/engine/diagnose/diagnosis.schema.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new SimpleModule("finite-numbers")
                    .addSerializer(Double.class, new FiniteOrNull())
                    .addSerializer(Double.TYPE, new FiniteOrNull()))
            .enable(SerializationFeature.INDENT_OUTPUT);

    private DiagnosisJson() {
    }

    /** The report as indented JSON text. */
    public static String write(Diagnosis d) {
        try {
            return JSON.writeValueAsString(d);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the diagnosis: " + e.getMessage(), e);
        }
    }

    /** Writes the report to a file. */
    public static void write(Diagnosis d, Path file) throws IOException {
        Files.writeString(file, write(d));
    }

    /** The schema's text. */
    public static InputStream schema() {
        InputStream in = DiagnosisJson.class.getResourceAsStream(SCHEMA_RESOURCE);
        if (in == null) {
            throw new IllegalStateException(SCHEMA_RESOURCE + " is missing from the class path");
        }
        return in;
    }

    /** A double as a JSON number, or null when it is NaN or infinite. */
    private static final class FiniteOrNull extends JsonSerializer<Double> {
        @Override
        public void serialize(Double value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            if (value == null || !Double.isFinite(value)) {
                gen.writeNull();
            } else {
                gen.writeNumber(value);
            }
        }
    }
}
