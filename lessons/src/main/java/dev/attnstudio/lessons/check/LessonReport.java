package dev.attnstudio.lessons.check;

import dev.attnstudio.lessons.format.LessonProblem;

import java.util.List;

/**
 * What checking one lesson found.
 *
 * @param id        the lesson's id (its folder's name when unreadable)
 * @param title     its title, or "" when unreadable
 * @param pages     pages run
 * @param exercises exercises proven
 * @param proofs    one line per exercise attempt: what was proven
 * @param problems  everything wrong, each naming lesson, page, field and line
 * @param millis    time taken
 */
public record LessonReport(String id, String title, int pages, int exercises, List<String> proofs,
                           List<LessonProblem> problems, long millis) {

    public LessonReport {
        proofs = List.copyOf(proofs);
        problems = List.copyOf(problems);
    }

    public boolean ok() {
        return problems.isEmpty();
    }
}
