using Telemetry.Edge.OpcUa;
using Telemetry.OpcUa;
using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.SecureChannel;

namespace Telemetry.Edge.Configuration;

/// <summary>
/// The security parts of the OPC UA configuration. The agent as a client (top-level, every key optional):
/// <code>
/// opcua:
///   pki: /var/lib/telemetry-edge/pki                      # default: &lt;edge.data_dir&gt;/pki
///   application_uri: urn:telemetry:edge:plant-a-edge-1    # default: urn:telemetry:edge:&lt;edge.id&gt;
///   application_name: Telemetry edge plant-a-edge-1       # the certificate's CN
/// </code>
/// and per source:
/// <code>
///   security: none                                        # or:
///   security: { mode: SignAndEncrypt, policy: Basic256Sha256 }   # policy optional: the most secure the PLC offers
///   username: operator                                    # or user_certificate: { cert: user.pem, key: user.key }
///   password: { env: PLC_PASSWORD }                       #   or user_certificate: { pfx: user.pfx, password: { env: X } }
/// </code>
/// </summary>
internal static class OpcUaSecurityConfigParser
{
    private static readonly (string Name, MessageSecurityMode Mode)[] Modes =
    [
        ("None", MessageSecurityMode.None),
        ("Sign", MessageSecurityMode.Sign),
        ("SignAndEncrypt", MessageSecurityMode.SignAndEncrypt),
    ];

    private static readonly (string Name, string Uri)[] Policies =
    [
        ("Basic256Sha256", SecurityPolicies.Basic256Sha256),
        ("Aes128_Sha256_RsaOaep", SecurityPolicies.Aes128Sha256RsaOaep),
        ("Aes256_Sha256_RsaPss", SecurityPolicies.Aes256Sha256RsaPss),
        ("None", SecurityPolicies.None),
    ];

    private static readonly (string Name, string Uri)[] DeprecatedPolicies =
    [
        ("Basic256", SecurityPolicies.Basic256),
        ("Basic128Rsa15", SecurityPolicies.Basic128Rsa15),
    ];

    private static string SecurePolicyNames => string.Join(", ", Policies.Where(p => p.Uri != SecurityPolicies.None).Select(p => p.Name));

    /// <summary>The top-level `opcua:` section (null: all defaults).</summary>
    public static OpcUaClientSettings ParseClient(ConfigNode? node, string edgeId, string dataDirectory)
    {
        var defaults = OpcUaClientSettings.For(edgeId, dataDirectory);
        if (node is null)
        {
            return defaults;
        }

        var pki = node.Optional("pki")?.NonEmptyString("a folder for the OPC UA certificates (own/, trusted/, rejected/)") ?? defaults.PkiPath;
        var uri = defaults.ApplicationUri;
        if (node.Optional("application_uri") is { } uriNode)
        {
            uri = uriNode.NonEmptyString("this agent's ApplicationUri, e.g. urn:telemetry:edge:plant-a-edge-1");
            if (!Uri.TryCreate(uri, UriKind.Absolute, out _))
            {
                throw uriNode.Error($"'{uri}' is not an absolute URI; expected e.g. {defaults.ApplicationUri} (it goes into the agent's certificate).");
            }
        }

        var name = node.Optional("application_name")?.NonEmptyString("this agent's name in its certificate") ?? defaults.ApplicationName;
        node.EnsureNoUnknownKeys();
        return new OpcUaClientSettings(pki, uri, name);
    }

    /// <summary>A source's `security:`: `none`, or a section with mode, policy and allow_deprecated.</summary>
    public static OpcUaSecurity ParseSecurity(ConfigNode? node)
    {
        if (node is null)
        {
            return OpcUaSecurity.None;
        }

        if (!node.IsSection)
        {
            var text = node.String().Trim();
            return text.Equals("none", StringComparison.OrdinalIgnoreCase)
                ? OpcUaSecurity.None
                : throw node.Error($"'{text}' is not a security setting; expected none, or a section such as {{ mode: SignAndEncrypt, policy: Basic256Sha256 }} (modes: None, Sign, SignAndEncrypt; policies: {SecurePolicyNames}).");
        }

        var modeNode = node.Required("mode", "None, Sign or SignAndEncrypt");
        var mode = Mode(modeNode);
        var policyNode = node.Optional("policy");
        var allowNode = node.Optional("allow_deprecated");
        var allowDeprecated = allowNode?.Bool() ?? false;
        node.EnsureNoUnknownKeys();
        var policy = policyNode is null ? null : Policy(policyNode, allowDeprecated);
        if (mode == MessageSecurityMode.None)
        {
            if (policy is not null && policy != SecurityPolicies.None)
            {
                throw policyNode!.Error($"policy {SecurityPolicies.ShortName(policy)} needs mode Sign or SignAndEncrypt; with mode None nothing is signed or encrypted (write policy: None, or mode: SignAndEncrypt).");
            }

            return OpcUaSecurity.None;
        }

        if (policy == SecurityPolicies.None)
        {
            throw policyNode!.Error($"mode {mode} needs a signing policy, not None; expected one of: {SecurePolicyNames} (or leave policy out for the most secure one the PLC offers).");
        }

        return new OpcUaSecurity(mode, policy, allowDeprecated);
    }

    /// <summary>Anonymous, or username + password (a secret: env or file), or user_certificate (PEM cert + key, or PKCS#12).</summary>
    public static UserIdentity ParseIdentity(ConfigNode item, Func<string, string?> environment)
    {
        var userNode = item.Optional("username");
        var passwordNode = item.Optional("password");
        var certificateNode = item.Optional("user_certificate");
        if (certificateNode is not null)
        {
            if (userNode is not null)
            {
                throw certificateNode.Error("give either username + password or user_certificate, not both.");
            }

            if (passwordNode is not null)
            {
                throw passwordNode.Error("password belongs to username; the password of a PKCS#12 file goes in user_certificate: { pfx: FILE, password: { env: NAME } }.");
            }

            return UserCertificate(certificateNode, environment);
        }

        if (userNode is not null)
        {
            var user = userNode.NonEmptyString("the PLC user name");
            var password = passwordNode?.Secret(environment)
                ?? throw userNode.Error("a user name needs a password: add password: { env: NAME } or { file: /path }.");
            return UserIdentity.FromUserName(user, password);
        }

        if (passwordNode is not null)
        {
            throw passwordNode.Error("a password needs a username (or remove it for an anonymous session).");
        }

        return UserIdentity.Anonymous;
    }

    private static UserIdentity UserCertificate(ConfigNode node, Func<string, string?> environment)
    {
        if (!node.IsSection)
        {
            throw node.Error("expected { cert: user.pem, key: user.key } or { pfx: user.pfx, password: { env: NAME } }.");
        }

        var certNode = node.Optional("cert");
        var keyNode = node.Optional("key");
        var pfxNode = node.Optional("pfx");
        var passwordNode = node.Optional("password");
        node.EnsureNoUnknownKeys();
        try
        {
            if (pfxNode is not null)
            {
                if (certNode is not null || keyNode is not null)
                {
                    throw node.Error("give either pfx (a PKCS#12 file with the key) or cert + key (PEM files), not both.");
                }

                var pfx = ExistingFile(pfxNode);
                return UserIdentity.FromCertificateFile(pfx, passwordNode?.Secret(environment), pkcs12: true);
            }

            if (certNode is null || keyNode is null)
            {
                throw node.Error(certNode is null
                    ? "'cert' is missing; expected the PEM user certificate (with key: its PEM private key), or pfx: a PKCS#12 file."
                    : "'key' is missing; expected the PEM private key of the user certificate.");
            }

            if (passwordNode is not null)
            {
                throw passwordNode.Error("password is for a pfx file; PEM keys are read unencrypted (keep the file readable by the agent only).");
            }

            return UserIdentity.FromCertificateFile(ExistingFile(certNode), ExistingFile(keyNode));
        }
        catch (OpcUaException ex)
        {
            throw node.Error(ex.Message);
        }
    }

    private static string ExistingFile(ConfigNode node)
    {
        var path = node.NonEmptyString("a file path");
        return File.Exists(path) ? path : throw node.Error($"the file {path} does not exist.");
    }

    private static MessageSecurityMode Mode(ConfigNode node)
    {
        var text = node.String().Trim();
        var key = text.Replace("-", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal);
        foreach (var (name, mode) in Modes)
        {
            if (name.Equals(key, StringComparison.OrdinalIgnoreCase))
            {
                return mode;
            }
        }

        throw node.Error($"'{text}' is not a security mode; expected one of: {string.Join(", ", Modes.Select(m => m.Name))}.");
    }

    private static string Policy(ConfigNode node, bool allowDeprecated)
    {
        var text = node.String().Trim();
        foreach (var (name, uri) in Policies)
        {
            if (name.Equals(text, StringComparison.OrdinalIgnoreCase) || uri == text)
            {
                return uri;
            }
        }

        foreach (var (name, uri) in DeprecatedPolicies)
        {
            if (name.Equals(text, StringComparison.OrdinalIgnoreCase) || uri == text)
            {
                return allowDeprecated
                    ? uri
                    : throw node.Error($"{name} is deprecated (SHA-1, OPC 10000-7) and refused; use one of: {SecurePolicyNames}, or add allow_deprecated: true if the PLC offers nothing else.");
            }
        }

        throw node.Error($"'{text}' is not a security policy; expected one of: {string.Join(", ", Policies.Select(p => p.Name))}.");
    }
}
