using Telemetry.Ingest.Cli;

return await IngestCommandLine.RunAsync(args).ConfigureAwait(false);
