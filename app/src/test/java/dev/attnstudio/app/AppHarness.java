package dev.attnstudio.app;

import dev.attnstudio.app.main.MainView;
import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.app.main.ModelOpener;
import dev.attnstudio.app.main.SettingsStore;
import dev.attnstudio.app.views.ViewRegistry;
import dev.attnstudio.engine.runtime.DjlRuntime;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real window for UI tests in other packages: the app over the bundled samples with in-memory settings (the
 * user's preferences are never read or written), and its view model and view, which the app keeps package-private;
 * and what every window test does with a window: reading on the FX thread, waiting until the engine is idle, and
 * reaching the menu bar's items. Waits are on conditions, with timeouts long enough for a busy machine.
 */
public final class AppHarness {

    private final AttentionStudioApp app;

    private AppHarness(AttentionStudioApp app) {
        this.app = app;
    }

    /** Starts the app on the primary stage (headless Monocle under surefire); it opens the default sample. */
    public static AppHarness start() throws Exception {
        return start(StudioViews.all());
    }

    /** As {@link #start()}, with other views in the tabs. */
    public static AppHarness start(ViewRegistry views) throws Exception {
        // TestFX gives a start 30 s by default; the app's start took longer with three CPU hogs beside the tests
        FxToolkit.toolkitContext().setSetupTimeoutInMillis(TimeUnit.SECONDS.toMillis(PATIENCE_SECONDS));
        FxToolkit.registerPrimaryStage();
        return new AppHarness((AttentionStudioApp) FxToolkit.setupApplication(() -> new AttentionStudioApp(
                ModelOpener.standard(DjlRuntime.DeviceChoice.CPU), SettingsStore.inMemory(), views)));
    }

    public MainViewModel viewModel() {
        return app.viewModel();
    }

    public MainView view() {
        return app.view();
    }

    /** Stops the app and closes its stages. */
    public void stop() throws Exception {
        FxToolkit.cleanupApplication(app);
        FxToolkit.cleanupStages();
    }

    /** How long a wait on a condition gives up after: long, since a loaded CI machine is slow, and a pass ends it early. */
    private static final long PATIENCE_SECONDS = 90;

    /** Reads {@code read} on the FX thread. */
    public static <T> T fx(Callable<T> read) throws Exception {
        return WaitForAsyncUtils.asyncFx(read).get(PATIENCE_SECONDS, TimeUnit.SECONDS);
    }

    /** Waits until a model is ready and no engine work is under way. */
    public static void awaitIdle(MainViewModel vm) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        WaitForAsyncUtils.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS, () -> fx(() -> vm.status().isReady() && !vm.status().isBusy()));
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** Every item of the window's menu bar, the items of nested menus included (not the menus themselves). */
    public static List<MenuItem> menuItems() {
        MenuBar bar = new FxRobot().lookup("#menuBar").queryAs(MenuBar.class);
        return bar.getMenus().stream().flatMap(m -> items(m.getItems())).toList();
    }

    private static Stream<MenuItem> items(List<MenuItem> items) {
        return items.stream().flatMap(i -> i instanceof Menu m ? items(m.getItems()) : Stream.of(i));
    }

    /** The menu bar's item with this id. */
    public static MenuItem menuItem(String id) {
        return menuItems().stream().filter(i -> id.equals(i.getId())).findFirst()
                .orElseThrow(() -> new AssertionError("no menu item " + id));
    }

    /**
     * Fires a menu item as a click would. (Clicking through nested menus is not reliable on headless Monocle: the
     * submenu's popup has no scene yet when the robot looks for it.)
     */
    public static void fireMenuItem(String id) throws Exception {
        fx(() -> {
            menuItem(id).fire();
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
    }
}
