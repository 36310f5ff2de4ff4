package dev.attnstudio.app.main;

import dev.attnstudio.app.bundle.Manifest;
import dev.attnstudio.app.bundle.RecordedTrace;
import dev.attnstudio.app.tokens.TokenChip;

import java.util.ArrayList;
import java.util.List;

/** The token strip of a recorded trace: each batch row of its first pass, as recorded (padding marked). */
final class RecordedChips {

    private RecordedChips() {
    }

    static List<List<TokenChip>> rows(RecordedTrace trace) {
        List<List<TokenChip>> rows = new ArrayList<>();
        for (Manifest.Row row : trace.manifest().rows()) {
            List<TokenChip> chips = new ArrayList<>(row.tokenIds().length);
            for (int t = 0; t < row.tokenIds().length; t++) {
                long id = row.tokenIds()[t];
                String text = row.tokenStrings() != null ? row.tokenStrings().get(t) : trace.label(id);
                boolean padding = row.attentionMask() != null && row.attentionMask()[t] == 0;
                long type = row.tokenTypeIds() == null ? 0 : row.tokenTypeIds()[t];
                chips.add(new TokenChip(t, id, TokenChip.visible(text), false, type, padding));
            }
            rows.add(List.copyOf(chips));
        }
        return List.copyOf(rows);
    }
}
