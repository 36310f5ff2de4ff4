package dev.attnstudio.lessons.format;

import java.util.List;

/**
 * What happens when a page opens, in this order: the model is opened, the interventions are set, the prompt is reset,
 * the actions run, the view is shown with its selection, and the highlights are drawn.
 *
 * @param model         the page's model (the lesson's unless the page names one)
 * @param prompt        the page's prompt (the lesson's unless the page gives one)
 * @param interventions interventions on from the start, in command-line form ({@code ablate:0.1}, {@code no-scaling})
 * @param actions       engine actions, in order
 * @param view          the view and its selection; null leaves the view as it is
 * @param highlights    what to point at
 */
public record PageSetup(ModelRef model, Prompt prompt, List<String> interventions, List<Action> actions,
                        ViewSelection view, List<Highlight> highlights) {

    public PageSetup {
        interventions = List.copyOf(interventions);
        actions = List.copyOf(actions);
        highlights = List.copyOf(highlights);
    }
}
