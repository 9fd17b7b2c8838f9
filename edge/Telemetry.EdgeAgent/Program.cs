using Telemetry.EdgeAgent.Commands;

// telemetry-edge: the edge agent's command line. Every command returns a process exit code; errors are
// printed as one clear message, never a stack trace.
return await CommandLine.RunAsync(args).ConfigureAwait(false);
