package dev.attnstudio.lessons.run;

import dev.attnstudio.lessons.format.Action;
import dev.attnstudio.lessons.format.Highlight;
import dev.attnstudio.lessons.format.ModelRef;
import dev.attnstudio.lessons.format.Prompt;
import dev.attnstudio.lessons.format.ViewSelection;

import java.util.List;

/**
 * What a page's setup is applied through, in this order: {@link #openModel}, {@link #setInterventions},
 * {@link #setPrompt}, {@link #perform} for each action, {@link #showView}, {@link #highlight}, {@link #conceal}. The app
 * implements it over its window and engine thread; the checker's {@link HeadlessHost} over a stepper of its own.
 *
 * <p>A method may throw {@link IllegalArgumentException} or {@link IllegalStateException} when the lesson asks for
 * something the model cannot do (a prompt too long, generating from an encoder); the runner reports it against the
 * page's field. After the setup, the exercise's probes are evaluated on the engine thread with an
 * {@link dev.attnstudio.lessons.probe.EngineContext} over the same stepper ({@link PageSession#open}).
 */
public interface LessonHost {

    /** Opens the page's model; nothing happens when it is the one already open. */
    void openModel(ModelRef model);

    /**
     * The interventions on from the start of the page, in command-line form, replacing whatever was on (the student's
     * own included). They apply from the next prompt reset.
     */
    void setInterventions(List<String> specs);

    /** Tokenizes the prompt with the model's tokenizer (or takes its ids) and resets the stepper on it. */
    void setPrompt(Prompt prompt);

    /**
     * Runs one action. Mask-bug switches arrive as {@link Action.Intervene}: the runner has already drawn a random bug,
     * and marks it {@code hidden}, which a host must not reveal (the student is to diagnose it).
     */
    void perform(Action action);

    /** Shows a view with its selection. */
    void showView(ViewSelection view);

    /** Points at cells, rows, columns or steps; an empty list clears the page's highlights. */
    void highlight(List<Highlight> highlights);

    /** Hides (blurs) the views until the student commits to a prediction ({@code true}), or shows them again. */
    void conceal(boolean concealed);
}
