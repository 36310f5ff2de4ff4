package dev.attnstudio.lessons.check;

import dev.attnstudio.lessons.format.Action;
import dev.attnstudio.lessons.format.Page;
import dev.attnstudio.lessons.run.PageRunner;

import java.util.ArrayList;
import java.util.List;

/** What an attempt at a page draws at random: the mask bugs its random switches turn on. */
final class Draws {

    private Draws() {
    }

    static List<String> bugs(String lesson, Page page, int attempt) {
        List<String> out = new ArrayList<>();
        for (Action a : PageRunner.resolve(lesson, page.index(), attempt, page.setup().actions())) {
            if (a instanceof Action.Intervene i && i.hidden()) {
                out.add(i.spec().substring("mask-bug:".length()));
            }
        }
        return out;
    }
}
