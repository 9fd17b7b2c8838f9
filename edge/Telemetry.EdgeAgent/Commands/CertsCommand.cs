using System.Globalization;
using Telemetry.Edge.Configuration;
using Telemetry.OpcUa;
using Telemetry.Edge.OpcUa;
using Telemetry.OpcUa.Security;

namespace Telemetry.EdgeAgent.Commands;

/// <summary>
/// `telemetry-edge certs list | trust &lt;thumbprint-or-file&gt; | reject &lt;thumbprint&gt; | show-own`: the OPC UA PKI
/// folder (the config's opcua.pki, by default its data directory + /pki, or --pki DIR) seen and changed by an operator;
/// show-own shows the certificate for the config's opcua.application_uri. A trusted certificate
/// counts at the next connect of the running agent (the store is read again every time), no restart needed.
/// </summary>
public static class CertsCommand
{
    public const string UsageText = "telemetry-edge certs list | trust <thumbprint-or-file> | reject <thumbprint> | show-own [--application-uri URI] [--config FILE | --pki DIR]";

    /// <summary>Runs the command; <paramref name="args"/> are the words after `certs`.</summary>
    public static int Run(ReadOnlySpan<string> args, TextWriter output, TextWriter error, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
            {
                throw new CommandLineException($"certs needs what to do: {UsageText}");
            }

            var verb = args[0];
            var takesArgument = verb is "trust" or "reject";
            if (verb is not ("list" or "show-own") && !takesArgument)
            {
                throw new CommandLineException($"Unknown certs command '{verb}': {UsageText}");
            }

            string? argument = null;
            if (takesArgument)
            {
                if (args.Length < 2 || args[1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new CommandLineException(verb == "trust"
                        ? "certs trust needs a thumbprint (from `telemetry-edge certs list`) or a certificate file (DER or PEM)."
                        : "certs reject needs the thumbprint of a trusted certificate (from `telemetry-edge certs list`).");
                }

                argument = args[1];
            }

            var options = CommandOptions.Parse(args[(takesArgument ? 2 : 1)..]);
            var pkiOption = options.GetString("pki");
            var configOption = options.GetString("config");
            var applicationUri = verb == "show-own" ? options.GetString("application-uri") : null;
            options.EnsureAllUsed($"certs {verb}");
            var pki = OpenStore(pkiOption, configOption, out var location, out var client);
            var time = timeProvider ?? TimeProvider.System;
            switch (verb)
            {
                case "list":
                    List(pki, location, output, time);
                    break;
                case "trust":
                    var trusted = pki.Trust(argument!);
                    output.WriteLine($"Trusted {trusted.Subject} [{trusted.Thumbprint}]");
                    output.WriteLine($"  now in {trusted.Path}");
                    output.WriteLine("  The running agent uses it at its next connect attempt; no restart needed.");
                    break;
                case "reject":
                    var rejected = pki.Reject(argument!);
                    output.WriteLine($"Rejected {rejected.Subject} [{rejected.Thumbprint}]");
                    output.WriteLine($"  moved to {rejected.Path}");
                    output.WriteLine($"  Trust it again with: {ServerCertificateValidator.TrustCommand(rejected.Thumbprint)}{location}");
                    break;
                default:
                    ShowOwn(pki, applicationUri, client, output, time);
                    break;
            }

            return CommandLine.Ok;
        }
        catch (CommandLineException ex)
        {
            error.WriteLine($"telemetry-edge: {ex.Message}");
            return CommandLine.UsageError;
        }
        catch (ConfigException ex)
        {
            error.WriteLine($"telemetry-edge: {ex.Message}");
            return CommandLine.UsageError;
        }
        catch (OpcUaException ex)
        {
            error.WriteLine($"telemetry-edge: {ex.Message}");
            return CommandLine.Failed;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            error.WriteLine($"telemetry-edge: certs {args[0]}: {ex.Message}");
            return CommandLine.Failed;
        }
    }

    /// <summary>--pki wins; else the config's opcua.pki (default: its data directory + /pki), of --config or the default config.</summary>
    private static PkiStore OpenStore(string? pki, string? config, out string location, out OpcUaClientSettings? client)
    {
        client = null;
        if (pki is not null && config is not null)
        {
            throw new CommandLineException("Give either --pki DIR or --config FILE, not both.");
        }

        if (pki is not null)
        {
            if (pki.Length == 0 || pki == "true")
            {
                throw new CommandLineException("--pki needs a folder, e.g. --pki /var/lib/telemetry-edge/pki.");
            }

            location = $" --pki {Quote(pki)}";
            return new PkiStore(pki);
        }

        var path = config ?? ConfigCommands.DefaultConfigPath;
        if (!File.Exists(path))
        {
            throw new CommandLineException(config is null
                ? $"No configuration at {path}: give --config FILE (its edge.data_dir holds pki/) or --pki DIR."
                : $"--config {path}: no such file.");
        }

        location = config is null ? string.Empty : $" --config {Quote(config)}";
        var loaded = EdgeConfigLoader.LoadFile(path);
        client = loaded.OpcUa ?? OpcUaClientSettings.For(loaded.EdgeId, loaded.DataDirectory);
        return new PkiStore(client.PkiPath);
    }

    private static void List(PkiStore pki, string location, TextWriter o, TimeProvider time)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var rejected = pki.List(CertificateStoreKind.Rejected);
        var others = pki.List(CertificateStoreKind.Trusted, CertificateStoreKind.Issuers);
        var own = pki.GetOwn();
        o.WriteLine($"PKI folder {pki.Root}");
        if (rejected.Count + others.Count + own.Count == 0)
        {
            o.WriteLine("No certificates yet. A server's certificate lands in rejected/ at the first connect attempt;");
            o.WriteLine($"`telemetry-edge certs show-own{location}` creates ours (the one the PLC must trust).");
            return;
        }

        o.WriteLine();
        o.WriteLine($"{"STORE",-9} {"THUMBPRINT",-40}  {"SUBJECT",-36} {"APPLICATION URI",-32} {"VALID UNTIL",-17} STATE");
        foreach (var c in rejected)
        {
            Row(o, c, now);
            o.WriteLine($"          trust it: {ServerCertificateValidator.TrustCommand(c.Thumbprint)}{location}");
        }

        foreach (var c in others)
        {
            Row(o, c, now);
        }

        foreach (var c in own)
        {
            Row(o, c, now);
        }
    }

    private static void Row(TextWriter o, CertificateInfo c, DateTime now) =>
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{StoreName(c.Store),-9} {c.Thumbprint,-40}  {Fit(c.Subject, 36),-36} {Fit(c.ApplicationUri ?? "-", 32),-32} {c.NotAfter:yyyy-MM-dd HH:mm}  {State(c, now)}"));

    /// <summary>
    /// The certificate for the ApplicationUri of --application-uri or the config (created if missing, as the agent would
    /// at its first secured connect). With only --pki: the certificates already there, else one for the default URI.
    /// </summary>
    private static void ShowOwn(PkiStore pki, string? applicationUri, OpcUaClientSettings? client, TextWriter o, TimeProvider time)
    {
        if (applicationUri is not null && !Uri.TryCreate(applicationUri, UriKind.Absolute, out _))
        {
            throw new CommandLineException($"--application-uri '{applicationUri}' is not an absolute URI, e.g. {OpcUaClientSettings.DefaultApplicationUriFor("plant-a-edge-1")}.");
        }

        if (applicationUri is null && client is null && pki.GetOwn() is { Count: > 0 } existing)
        {
            foreach (var c in existing)
            {
                o.WriteLine("The application instance certificate:");
                o.WriteLine($"  thumbprint      {c.Thumbprint}");
                o.WriteLine($"  subject         {c.Subject}");
                o.WriteLine($"  application URI {c.ApplicationUri ?? "-"}");
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  valid           {c.NotBefore:yyyy-MM-dd HH:mm} to {c.NotAfter:yyyy-MM-dd HH:mm} UTC"));
                o.WriteLine($"  file            {c.Path}");
            }

            o.WriteLine("Copy the file to the PLC's trusted certificates (or accept it there after the first connect attempt).");
            return;
        }

        var uri = applicationUri ?? client?.ApplicationUri ?? DefaultApplicationUri;
        var before = pki.GetOwn().Count;
        using var certificate = pki.GetOrCreateOwnCertificate(uri, client?.ApplicationName ?? DefaultApplicationName, timeProvider: time);
        var thumbprint = CertificateThumbprint.ToHex(certificate.RawData);
        var info = pki.GetOwn().FirstOrDefault(c => c.Thumbprint == thumbprint);
        var created = pki.GetOwn().Count > before;
        o.WriteLine(created ? "Created the application instance certificate:" : "The application instance certificate:");
        o.WriteLine($"  thumbprint      {thumbprint}");
        o.WriteLine($"  subject         {certificate.Subject}");
        o.WriteLine($"  application URI {ApplicationCertificateFactory.GetApplicationUri(certificate) ?? "-"}");
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  valid           {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} to {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC"));
        o.WriteLine($"  file            {info?.Path ?? pki.OwnCertificates}");
        o.WriteLine("Copy the file to the PLC's trusted certificates (or accept it there after the first connect attempt).");
    }

    /// <summary>The ApplicationUri and name without a configuration (only --pki given).</summary>
    private static string DefaultApplicationUri => OpcUaClientSettings.DefaultApplicationUri;

    private static string DefaultApplicationName => OpcUaClientSettings.DefaultApplicationName;

    private static string State(CertificateInfo c, DateTime now) =>
        now >= c.NotAfter ? "EXPIRED"
        : now < c.NotBefore ? string.Create(CultureInfo.InvariantCulture, $"not yet valid (from {c.NotBefore:yyyy-MM-dd HH:mm})")
        : c.Store == CertificateStoreKind.Rejected ? "rejected"
        : "ok";

    private static string StoreName(CertificateStoreKind store) => store switch
    {
        CertificateStoreKind.Own => "own",
        CertificateStoreKind.Trusted => "trusted",
        CertificateStoreKind.Issuers => "issuers",
        _ => "rejected",
    };

    private static string Fit(string text, int width) => text.Length <= width ? text : string.Concat(text.AsSpan(0, width - 1), "…");

    private static string Quote(string path) => path.Contains(' ', StringComparison.Ordinal) ? $"\"{path}\"" : path;
}
