using Telemetry.Edge.Configuration;
using Telemetry.Edge.OpcUa;
using Telemetry.OpcUa;
using Telemetry.OpcUa.SecureChannel;
using Telemetry.OpcUa.Security;

namespace Telemetry.EdgeAgent.Commands;

/// <summary>
/// The channel security of `telemetry-edge browse`, the same choices as a source's `security:` in edge.yaml:
/// <c>--security none|sign|sign-and-encrypt</c> (or the mode names None, Sign, SignAndEncrypt), <c>--policy NAME</c>
/// (Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss; left out: the most secure one the PLC offers, never a
/// fallback to None), and the agent's PKI folder with its certificate and trusted PLCs: <c>--pki DIR</c>, or
/// <c>--config FILE</c> for its opcua.pki and application_uri (default: the default configuration's).
/// </summary>
internal sealed record BrowseSecurity(OpcUaSecurity Security, string? PkiPath, string ApplicationUri, string ApplicationName)
{
    private static readonly string[] PolicyNames = ["Basic256Sha256", "Aes128_Sha256_RsaOaep", "Aes256_Sha256_RsaPss"];

    public static BrowseSecurity None { get; } = new(OpcUaSecurity.None, null, OpcUaClientSettings.DefaultApplicationUri, OpcUaClientSettings.DefaultApplicationName);

    /// <summary>Reads --security, --policy, --pki and --config (all optional; only a secured browse needs a PKI folder).</summary>
    public static BrowseSecurity Read(CommandOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var modeText = options.GetString("security");
        var policyText = options.GetString("policy");
        var pki = options.GetString("pki");
        var config = options.GetString("config");
        var mode = Mode(modeText);
        if (mode == MessageSecurityMode.None)
        {
            return policyText is null || policyText.Equals("None", StringComparison.OrdinalIgnoreCase)
                ? None
                : throw new CommandLineException($"--policy {policyText} needs --security sign or sign-and-encrypt; with none nothing is signed or encrypted.");
        }

        var security = new OpcUaSecurity(mode, policyText is null ? null : PolicyUri(policyText));
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

            // The certificate already in own/ (the one the PLC may trust already), else one for the default URI.
            var own = new PkiStore(pki).GetOwn().FirstOrDefault(c => c.ApplicationUri is not null);
            return new BrowseSecurity(security, pki, own?.ApplicationUri ?? OpcUaClientSettings.DefaultApplicationUri, OpcUaClientSettings.DefaultApplicationName);
        }

        var path = config ?? ConfigCommands.DefaultConfigPath;
        if (!File.Exists(path))
        {
            throw new CommandLineException(config is null
                ? $"--security {modeText} needs the agent's PKI folder (its certificate and the trusted PLCs): give --pki DIR (e.g. /var/lib/telemetry-edge/pki) or --config FILE; there is no {path}."
                : $"--config {path}: no such file.");
        }

        var loaded = EdgeConfigLoader.LoadFile(path);
        var client = loaded.OpcUa ?? OpcUaClientSettings.For(loaded.EdgeId, loaded.DataDirectory);
        return new BrowseSecurity(security, client.PkiPath, client.ApplicationUri, client.ApplicationName);
    }

    public bool IsNone => Security.IsNone;

    /// <summary>The agent's PKI folder for messages ("&lt;data_dir&gt;/pki" when none is used).</summary>
    public string PkiDisplay => PkiPath ?? "<data_dir>/pki";

    /// <summary>The `security:` line of a pasted source: the mode and the policy the session actually uses.</summary>
    public string SnippetLine(string? usedPolicyUri)
    {
        if (IsNone)
        {
            return "    security: none\n";
        }

        var policy = Security.PolicyUri ?? usedPolicyUri;
        return policy is null
            ? $"    security: {{ mode: {Security.Mode} }}\n"
            : $"    security: {{ mode: {Security.Mode}, policy: {SecurityPolicies.ShortName(policy)} }}\n";
    }

    /// <summary>The same settings as a source's, for the messages `check` and the sources give (trust commands, hints).</summary>
    public OpcUaSourceOptions AsSource(string endpointUrl) => new()
    {
        Name = "browse",
        Site = "browse",
        EndpointUrl = endpointUrl,
        Security = Security,
        PkiPath = PkiPath,
        ApplicationUri = ApplicationUri,
        ApplicationName = ApplicationName,
    };

    private static MessageSecurityMode Mode(string? text)
    {
        var key = text?.Replace("-", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal);
        return key switch
        {
            null => MessageSecurityMode.None,
            _ when key.Equals("none", StringComparison.OrdinalIgnoreCase) => MessageSecurityMode.None,
            _ when key.Equals("sign", StringComparison.OrdinalIgnoreCase) => MessageSecurityMode.Sign,
            _ when key.Equals("signandencrypt", StringComparison.OrdinalIgnoreCase) => MessageSecurityMode.SignAndEncrypt,
            _ => throw new CommandLineException($"--security '{text}': expected none, sign or sign-and-encrypt."),
        };
    }

    private static string PolicyUri(string text)
    {
        foreach (var policy in SecurityPolicy.All)
        {
            if (policy.Name.Equals(text, StringComparison.OrdinalIgnoreCase))
            {
                return policy.IsDeprecated
                    ? throw new CommandLineException($"--policy {policy.Name} is deprecated (SHA-1) and browse does not use it; expected one of: {string.Join(", ", PolicyNames)}.")
                    : policy.Uri;
            }
        }

        throw new CommandLineException($"--policy '{text}': expected one of: {string.Join(", ", PolicyNames)} (or leave it out for the most secure one the PLC offers).");
    }
}
