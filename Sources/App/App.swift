import AppAPI
import Trellis

/// The example app: the generated API with its hand-written domain rules plugged in.
public enum App {
    public static func api() -> GeneratedAPI {
        GeneratedAPI(hooks: hooks, actions: actions)
    }

    /// The hand-written rules that run around the generated operations.
    public static var hooks: GeneratedAPI.Hooks {
        var hooks = GeneratedAPI.Hooks()
        hooks.taskItem = TaskAssigneeRule()
        return hooks
    }

    /// The app's background jobs (``JobRegistry``); `Server serve` and `Server worker` add the
    /// maintenance jobs every Trellis server runs.
    public static var jobs: JobRegistry {
        JobRegistry()
    }

    /// The hand-written custom actions of the specs.
    public static let actions = GeneratedAPI.Actions(project: ProjectArchiving())
}
