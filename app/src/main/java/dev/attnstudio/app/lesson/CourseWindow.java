package dev.attnstudio.app.lesson;

import dev.attnstudio.app.attention.AttentionMapView;
import dev.attnstudio.app.attention.MapCell;
import dev.attnstudio.app.main.MainView;
import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.app.main.StepRow;
import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.lessons.format.ViewSelection;
import javafx.scene.Node;
import javafx.scene.input.MouseEvent;

import java.util.function.BiConsumer;

/**
 * What a lesson page asks of the window, done with its view model and view: the tab shown, the layer, head, batch
 * row, attention stack and the step under the cursor; the views hidden for a prediction; and a click on a map's cell
 * passed to a pick-cell exercise.
 */
final class CourseWindow implements CourseViewModel.Window {

    private final MainViewModel vm;
    private final MainView view;

    CourseWindow(MainViewModel vm, MainView view) {
        this.vm = vm;
        this.view = view;
    }

    @Override
    public void show(ViewSelection s) {
        view.select(s.view());
        if (s.stack() != null) {
            vm.selection().attentionSourceProperty().set(switch (s.stack()) {
                case "encoder" -> AttentionSource.ENCODER;
                case "cross" -> AttentionSource.CROSS;
                default -> AttentionSource.DECODER;
            });
        }
        if (s.layer() != null) {
            vm.selection().layerProperty().set(s.layer());
        }
        if (s.head() != null) {
            vm.selection().headProperty().set(s.head());
        }
        if (s.row() != null) {
            vm.selection().batchRowProperty().set(s.row());
        }
        if (s.hook() != null) {
            for (StepRow row : vm.stepping().steps()) {
                if (row.name().equals(s.hook())) {
                    vm.stepping().jumpTo(vm.stepping().groupProperty().get(), row.index());
                    break;
                }
            }
        }
    }

    @Override
    public void conceal(boolean concealed) {
        view.concealViews(concealed);
    }

    /** Passes a click on a single cell of any attention map to {@code picked} (query, key). */
    void onCellClicked(BiConsumer<Integer, Integer> picked) {
        view.root().addEventFilter(MouseEvent.MOUSE_CLICKED, e -> {
            for (Object t = e.getTarget(); t instanceof Node n; t = n.getParent()) {
                if (n instanceof AttentionMapView map) {
                    MapCell cell = map.hoveredProperty().get();
                    if (cell != null && cell.single()) {
                        picked.accept(cell.row(), cell.col());
                    }
                    return;
                }
            }
        });
    }
}
