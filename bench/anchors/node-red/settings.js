// Node-RED settings of the load-harness anchor: headless (no editor, no admin API, no HTTP server at all), no
// credentials encryption, no telemetry or update checks, log to stdout. The run's user folder and flow file are
// given on the command line by Telemetry.NodeRedAnchor:
//   node node_modules/node-red/red.js --settings settings.js --userDir <run dir> <run dir>/flows.json
module.exports = {
    httpAdminRoot: false,
    httpNodeRoot: false,
    httpStatic: false,
    uiHost: "127.0.0.1",
    flowFilePretty: false,
    credentialSecret: false,
    externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
    functionExternalModules: false,
    diagnostics: { enabled: false, ui: false },
    runtimeState: { enabled: false, ui: false },
    telemetry: { enabled: false, updateNotification: false },
    editorTheme: { projects: { enabled: false } },
    contextStorage: { default: { module: "memory" } },
    logging: {
        console: {
            level: process.env.NODE_RED_ANCHOR_LOG_LEVEL || "info",
            metrics: false,
            audit: false,
        },
    },
};
