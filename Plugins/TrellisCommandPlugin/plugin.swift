import PackagePlugin
@main struct TrellisCommandPlugin: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {}
}
