package dev.attnstudio.lessons.run;

import dev.attnstudio.lessons.format.Action;
import dev.attnstudio.lessons.format.ExerciseKind;
import dev.attnstudio.lessons.format.Lesson;
import dev.attnstudio.lessons.format.Page;
import dev.attnstudio.lessons.format.PageSetup;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Opens a page: applies its setup through a {@link LessonHost}, in the order the host documents, after drawing what
 * the attempt draws at random (a mask bug to diagnose). A host error is reported against the field that caused it.
 */
public final class PageRunner {

    /**
     * What opening a page did.
     *
     * @param page    the page
     * @param attempt the attempt it was opened for (0-based)
     * @param actions the actions as performed: mask-bug switches resolved into interventions
     */
    public record Opened(Page page, int attempt, List<Action> actions) {
        public Opened {
            actions = List.copyOf(actions);
        }
    }

    private PageRunner() {
    }

    /**
     * Applies page {@code index} of the lesson for this attempt.
     *
     * @throws PageException naming the field whose setup failed
     */
    public static Opened open(Lesson lesson, int index, int attempt, LessonHost host) {
        Page page = lesson.pages().get(index);
        PageSetup s = page.setup();
        String at = page.path();
        apply(at + ".model", () -> host.openModel(s.model()));
        apply(at + ".interventions", () -> host.setInterventions(s.interventions()));
        apply(at + ".prompt", () -> host.setPrompt(s.prompt()));
        List<Action> performed = resolve(lesson.id(), index, attempt, s.actions());
        for (int i = 0; i < performed.size(); i++) {
            Action a = performed.get(i);
            apply(at + ".actions[" + i + "]", () -> host.perform(a));
        }
        if (s.view() != null) {
            apply(at + ".view", () -> host.showView(s.view()));
        }
        apply(at + ".highlight", () -> host.highlight(s.highlights()));
        boolean predict = page.exercise() != null && page.exercise().kind() == ExerciseKind.PREDICT;
        host.conceal(predict);
        return new Opened(page, attempt, performed);
    }

    /** The actions with each mask-bug switch turned into an intervention; random bugs drawn for this attempt. */
    public static List<Action> resolve(String lesson, int index, int attempt, List<Action> actions) {
        SplittableRandom random = new SplittableRandom(AttemptSeed.of(lesson, index, attempt));
        List<Action> out = new ArrayList<>();
        for (Action a : actions) {
            if (a instanceof Action.MaskBugSwitch m) {
                String bug = m.random() ? m.from().get(random.nextInt(m.from().size())) : m.bug();
                out.add(new Action.Intervene("mask-bug:" + bug, m.on(), m.random()));
            } else {
                out.add(a);
            }
        }
        return out;
    }

    private static void apply(String path, Runnable step) {
        try {
            step.run();
        } catch (PageException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new PageException(path, e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }
}
