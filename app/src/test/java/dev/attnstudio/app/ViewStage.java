package dev.attnstudio.app;

import dev.attnstudio.app.theme.Styles;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * For view tests in other packages: one view alone in a stage of its own with the app's stylesheet (the primary
 * stage keeps the sizes other test classes set; {@code FxToolkit.cleanupStages()} closes it), and reads on the
 * FX thread.
 */
public final class ViewStage {

    private ViewStage() {
    }

    /** Builds the view on the FX thread, shows it in a new width x height stage and returns it. */
    public static <T extends Parent> T show(Supplier<T> view, double width, double height) throws Exception {
        FxToolkit.registerPrimaryStage();
        return fx(() -> {
            T v = view.get();
            Scene scene = new Scene(v, width, height);
            scene.getStylesheets().add(Styles.stylesheet());
            Stage s = new Stage();
            s.setScene(scene);
            s.show();
            return v;
        });
    }

    /** The value of {@code read} run on the FX thread. */
    public static <T> T fx(Callable<T> read) throws Exception {
        return WaitForAsyncUtils.asyncFx(read).get(10, TimeUnit.SECONDS);
    }
}
