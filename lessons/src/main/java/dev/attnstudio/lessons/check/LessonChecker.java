package dev.attnstudio.lessons.check;

import dev.attnstudio.lessons.format.Action;
import dev.attnstudio.lessons.format.Exercise;
import dev.attnstudio.lessons.format.ExerciseKind;
import dev.attnstudio.lessons.format.Lesson;
import dev.attnstudio.lessons.format.LessonProblem;
import dev.attnstudio.lessons.format.LessonReader;
import dev.attnstudio.lessons.format.LessonSource;
import dev.attnstudio.lessons.format.Page;
import dev.attnstudio.lessons.grade.Grader;
import dev.attnstudio.lessons.grade.Responses;
import dev.attnstudio.lessons.grade.Verdict;
import dev.attnstudio.lessons.probe.Answer;
import dev.attnstudio.lessons.probe.EngineContext;
import dev.attnstudio.lessons.run.ExerciseSession;
import dev.attnstudio.lessons.run.HeadlessHost;
import dev.attnstudio.lessons.run.ModelPool;
import dev.attnstudio.lessons.run.PageException;
import dev.attnstudio.lessons.run.PageRunner;
import dev.attnstudio.lessons.run.PageSession;
import dev.attnstudio.lessons.run.SetupCheck;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks lessons headlessly: reads each, opens every page on the real model (models shared through a
 * {@link ModelPool}), runs its actions, checks its view and highlights against the live trace, evaluates every probe,
 * and for every exercise proves that the right answer is accepted, a wrong one rejected, and each misconception gets
 * its own message. A page that draws a mask bug at random is run for as many attempts as it takes to draw each bug.
 */
public final class LessonChecker {

    /** Attempts tried, at most, to draw every bug of a random page. */
    static final int MAX_ATTEMPTS = 64;
    /** The name a checked tensor is given in the scope, to answer with exactly a misconception's tensor. */
    private static final String PROBED = "checker_probed_value";

    private final ModelPool models;

    public LessonChecker(ModelPool models) {
        this.models = models;
    }

    public LessonReport check(LessonSource source) {
        long start = System.nanoTime();
        LessonReader.Result read = LessonReader.read(source);
        if (!read.ok()) {
            return new LessonReport(source.name(), "", 0, 0, List.of(), read.problems(), millis(start));
        }
        Lesson lesson = read.lesson();
        List<LessonProblem> problems = new ArrayList<>();
        List<String> proofs = new ArrayList<>();
        int exercises = 0;
        try (HeadlessHost host = new HeadlessHost(models)) {
            for (Page page : lesson.pages()) {
                int before = problems.size();
                for (int attempt : attempts(lesson.id(), page)) {
                    checkPage(lesson, page, attempt, host, problems, proofs);
                    if (problems.size() > before) {
                        break;
                    }
                }
                if (page.exercise() != null && problems.size() == before) {
                    exercises++;
                }
            }
        }
        return new LessonReport(lesson.id(), lesson.title(), lesson.pages().size(), exercises, proofs, problems,
                millis(start));
    }

    /**
     * Attempt 0; for a page that draws a bug at random, the first attempt that draws each bug of its list (attempts
     * that draw the same bugs run the same page).
     */
    static List<Integer> attempts(String lesson, Page page) {
        Set<String> wanted = new HashSet<>();
        for (Action a : page.setup().actions()) {
            if (a instanceof Action.MaskBugSwitch m && m.random()) {
                wanted.addAll(m.from());
            }
        }
        if (wanted.isEmpty()) {
            return List.of(0);
        }
        List<Integer> out = new ArrayList<>();
        Set<String> drawn = new HashSet<>();
        for (int attempt = 0; attempt < MAX_ATTEMPTS && !drawn.containsAll(wanted); attempt++) {
            if (drawn.addAll(Draws.bugs(lesson, page, attempt))) {
                out.add(attempt);
            }
        }
        return out;
    }

    private static void checkPage(Lesson lesson, Page page, int attempt, HeadlessHost host, List<LessonProblem> problems,
                                  List<String> proofs) {
        PageSession session;
        EngineContext ctx;
        try {
            PageRunner.open(lesson, page.index(), attempt, host);
            ctx = host.context(page.worked().tensors());
            List<PageException> setup = SetupCheck.check(page, ctx);
            if (!setup.isEmpty()) {
                setup.forEach(e -> problems.add(e.problem(lesson)));
                return;
            }
            session = PageSession.open(lesson, page.index(), attempt, ctx);
        } catch (PageException e) {
            problems.add(e.problem(lesson));
            return;
        }
        ExerciseSession exercise = session.exercise();
        if (exercise == null) {
            return;
        }
        String at = page.path() + ".exercise";
        boolean predict = exercise.kind() == ExerciseKind.PREDICT;
        if (host.concealed() != predict) {
            problems.add(lesson.problem(at + ".kind", "the view should be " + (predict ? "" : "not ") + "concealed"));
        }
        Proof proof = new Proof(lesson, at, exercise, ctx, problems);
        proof.run();
        if (proof.failed == 0) {
            List<String> drawn = Draws.bugs(lesson.id(), page, attempt);
            String bug = drawn.isEmpty() ? "" : " [attempt " + attempt + " drew " + String.join(", ", drawn) + "]";
            proofs.add("page " + (page.index() + 1) + " " + exercise.kind().id + bug + ": right answer accepted, a wrong one"
                    + " rejected" + (exercise.mistakes().isEmpty() ? "" : ", " + exercise.mistakes().size()
                    + " misconception(s) give their message"));
        }
    }

    /** The proofs of one exercise attempt. */
    private static final class Proof {
        final Lesson lesson;
        final String at;
        final ExerciseSession exercise;
        final EngineContext ctx;
        final List<LessonProblem> problems;
        int failed;

        Proof(Lesson lesson, String at, ExerciseSession exercise, EngineContext ctx, List<LessonProblem> problems) {
            this.lesson = lesson;
            this.at = at;
            this.exercise = exercise;
            this.ctx = ctx;
            this.problems = problems;
        }

        void fail(String path, String message) {
            failed++;
            problems.add(lesson.problem(path, message));
        }

        void run() {
            Answer right = exercise.answer();
            Exercise e = exercise.exercise();
            Answer.Options options = exercise.options().isEmpty() ? null : new Answer.Options(exercise.options());
            if (options != null && options.options().size() < 2) {
                fail(at + ".options", "a choice needs at least two options; the probe gives " + options.options().size());
            }
            String reference = right instanceof Answer.Tensor t ? t.reference() : null;
            if (right instanceof Answer.Tensor && reference == null) {
                fail(at + ".answer", "the probe finds no expression that computes its tensor on the pass under the"
                        + " cursor (is the answer about another pass?), so no worked solution can be shown");
                return;
            }
            if (right instanceof Answer.Order && exercise.items().equals(((Answer.Order) right).items())) {
                fail(at + ".answer", "the shuffled items are already in order");
            }
            Verdict accepted = exercise.grade(Responses.of(right, reference), ctx);
            if (!accepted.correct()) {
                fail(at + ".answer", "the right answer is not accepted: " + accepted.message());
            }
            Verdict rejected = exercise.grade(Responses.wrong(right, options, reference), ctx);
            if (rejected.correct()) {
                fail(at + ".answer", "a wrong answer is accepted: the tolerance is too loose for this answer");
            }
            Set<String> messages = new LinkedHashSet<>();
            for (int i = 0; i < exercise.mistakes().size(); i++) {
                Grader.Mistake m = exercise.mistakes().get(i);
                String path = at + ".misconceptions[" + i + "]";
                EngineContext withValue = m.answer() instanceof Answer.Tensor t
                        ? ctx.withLiterals(Map.of(PROBED, t.value())) : ctx;
                Verdict v = exercise.grade(Responses.of(m.answer(), PROBED), withValue);
                if (v.correct()) {
                    fail(path, "this misconception gives the same answer as the right one on this page ("
                            + describe(m.answer()) + "), so a student who makes it would be told they are right");
                } else if (v.outcome() != Verdict.Outcome.MISCONCEPTION || !v.message().startsWith(m.message())) {
                    fail(path, "its answer (" + describe(m.answer()) + ") gets another message: " + v.message());
                } else if (!messages.add(m.message())) {
                    fail(path + ".message", "the same message is given by an earlier misconception");
                }
            }
            if (exercise.solution().isBlank()) {
                fail(at + ".answer", "the probe gives no worked solution");
            }
            if (!e.hints().isEmpty() && e.hints().stream().anyMatch(String::isBlank)) {
                fail(at + ".hints", "a hint is empty");
            }
        }
    }

    static String describe(Answer a) {
        if (a instanceof Answer.Number n) {
            return dev.attnstudio.lessons.probe.Numbers.format(n.value());
        }
        if (a instanceof Answer.Cell c) {
            return "query " + c.query() + ", key " + c.key();
        }
        if (a instanceof Answer.Choice c) {
            return c.id();
        }
        if (a instanceof Answer.Order o) {
            return String.join(" -> ", o.items());
        }
        if (a instanceof Answer.Tensor t) {
            return "a tensor " + t.value().shapeString();
        }
        return a.toString();
    }

    private static long millis(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
