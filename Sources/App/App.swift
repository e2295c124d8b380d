import AppAPI
import Trellis

/// The example app: the generated API with its hand-written domain rules plugged in.
public enum App {
    public static func api() -> GeneratedAPI {
        var hooks = GeneratedAPI.Hooks()
        hooks.taskItem = TaskAssigneeRule()
        return GeneratedAPI(hooks: hooks)
    }
}
