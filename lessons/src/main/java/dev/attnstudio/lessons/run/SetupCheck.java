package dev.attnstudio.lessons.run;

import dev.attnstudio.engine.diagnose.AttentionLayer;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.program.MaskSpec;
import dev.attnstudio.engine.program.Program;
import dev.attnstudio.lessons.format.Exercise;
import dev.attnstudio.lessons.format.Highlight;
import dev.attnstudio.lessons.format.Page;
import dev.attnstudio.lessons.format.ViewSelection;
import dev.attnstudio.lessons.probe.EngineContext;
import dev.attnstudio.lessons.probe.ProbeCall;
import dev.attnstudio.lessons.probe.ProbeCatalogue;
import dev.attnstudio.lessons.probe.ProbeException;
import dev.attnstudio.lessons.probe.Sites;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks an opened page against its model and live trace: the view's layer, head, stack, row, query and hook exist;
 * the highlighted cells, rows, columns and steps exist in the map and pass shown; every probe's layer, head, stack and
 * hook exist in the model. Each problem names its field.
 */
public final class SetupCheck {

    private SetupCheck() {
    }

    /** Every problem of the page's view, highlights and probe parameters, after the page's setup has run. */
    public static List<PageException> check(Page page, EngineContext ctx) {
        List<PageException> out = new ArrayList<>(probes(page, ctx.capabilities(), ctx.name()));
        ViewSelection v = page.setup().view();
        String at = page.path() + ".view";
        Capabilities c = ctx.capabilities();
        AttentionLayer layer = null;
        if (v != null) {
            try {
                layer = Sites.layer(c, v.stack(), v.layer() == null ? 0 : v.layer(), ctx.name());
            } catch (ProbeException e) {
                out.add(new PageException(at + "." + e.param(), e.getMessage()));
            }
            if (v.head() != null) {
                guard(out, at, () -> Sites.checkHead(c, v.head(), ctx.name()));
            }
            if (v.row() != null && v.row() >= ctx.rows()) {
                out.add(new PageException(at + ".row", "row " + v.row() + " does not exist: the batch has " + ctx.rows()
                        + " row(s)"));
            }
            if (v.hook() != null) {
                guard(out, at, () -> Sites.checkHook(c, v.hook(), ctx.name(), "hook"));
                if (ctx.trace(null).program().indexOf(v.hook()) < 0) {
                    out.add(new PageException(at + ".hook", "the pass under the cursor has no step " + v.hook()));
                }
            }
        } else {
            layer = Sites.layer(c, null, 0, ctx.name());
        }
        if (layer == null) {
            return out;
        }
        Program program = ctx.trace(null).program();
        int maskStep = program.indexOf(layer.hook(HookName.Block.MASK));
        MaskSpec spec = maskStep < 0 ? null : program.op(maskStep).mask();
        int queries = spec == null ? ctx.positions(null) : spec.queries();
        int keys = spec == null ? ctx.positions(null) : spec.keys();
        if (v != null && v.query() != null && v.query() >= queries) {
            out.add(new PageException(at + ".query", "query " + v.query() + " does not exist: the pass shown has "
                    + queries + " queries (0-" + (queries - 1) + ")"));
        }
        List<Highlight> highlights = page.setup().highlights();
        for (int i = 0; i < highlights.size(); i++) {
            String h = page.path() + ".highlight[" + i + "]";
            Highlight x = highlights.get(i);
            if (x instanceof Highlight.Cell cell) {
                if (cell.query() >= queries || cell.key() >= keys) {
                    out.add(new PageException(h + ".cell", "cell [" + cell.query() + ", " + cell.key() + "] is outside the "
                            + queries + " x " + keys + " map shown"));
                }
            } else if (x instanceof Highlight.Row row && row.query() >= queries) {
                out.add(new PageException(h + ".row", "row " + row.query() + " is outside the " + queries + " queries shown"));
            } else if (x instanceof Highlight.Column col && col.key() >= keys) {
                out.add(new PageException(h + ".column", "column " + col.key() + " is outside the " + keys + " keys shown"));
            } else if (x instanceof Highlight.Step step && program.indexOf(step.hook()) < 0) {
                out.add(new PageException(h + ".step", "the pass under the cursor has no step " + step.hook()));
            }
        }
        return out;
    }

    /** The probes' layers, heads, stacks and hooks against the model, before anything is evaluated. */
    public static List<PageException> probes(Page page, Capabilities c, String model) {
        List<PageException> out = new ArrayList<>();
        Exercise e = page.exercise();
        if (e == null) {
            return out;
        }
        String at = page.path() + ".exercise";
        add(out, e.answer(), at + ".answer", c, model);
        if (e.options() != null) {
            add(out, e.options(), at + ".options", c, model);
        }
        for (int i = 0; i < e.misconceptions().size(); i++) {
            add(out, e.misconceptions().get(i).probe(), at + ".misconceptions[" + i + "]", c, model);
        }
        return out;
    }

    private static void add(List<PageException> out, ProbeCall call, String path, Capabilities c, String model) {
        for (ProbeException p : ProbeCatalogue.check(call, c, model)) {
            out.add(new PageException(p.param() == null ? path : path + "." + p.param(), p.getMessage()));
        }
    }

    private static void guard(List<PageException> out, String at, Runnable check) {
        try {
            check.run();
        } catch (ProbeException e) {
            out.add(new PageException(at + "." + e.param(), e.getMessage()));
        }
    }
}
