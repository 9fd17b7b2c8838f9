using System.Text.RegularExpressions;
using Telemetry.OpcUa;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Security;

namespace Telemetry.Edge.OpcUa;

/// <summary>
/// What a security failure of an OPC UA source means for the technician, in one line for the source's status and log
/// and as problem + fix for `telemetry-edge check`: above all an untrusted PLC certificate (saved in rejected/) with
/// the exact `telemetry-edge certs trust` command for this agent's PKI folder.
/// </summary>
public static partial class OpcUaSecurityHints
{
    /// <summary>The thumbprint of a server certificate the client refused as untrusted (it is in rejected/), or null.</summary>
    public static string? UntrustedThumbprint(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is not OpcUaException { StatusCode.Code: StatusCodes.BadCertificateUntrusted } ua)
        {
            return null;
        }

        var match = TrustCommandPattern().Match(ua.Message);
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>`telemetry-edge certs trust THUMBPRINT --pki DIR`: works whatever config file the agent runs with.</summary>
    public static string TrustCommand(string thumbprint, string? pkiPath) =>
        pkiPath is null ? ServerCertificateValidator.TrustCommand(thumbprint) : $"{ServerCertificateValidator.TrustCommand(thumbprint)} --pki {Quote(pkiPath)}";

    /// <summary>The status/log text of a connect failure: the exception's message, with the trust command made exact.</summary>
    public static string Describe(Exception exception, OpcUaSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(options);
        if (UntrustedThumbprint(exception) is { } thumbprint)
        {
            return exception.Message.Replace(ServerCertificateValidator.TrustCommand(thumbprint), TrustCommand(thumbprint, options.PkiPath), StringComparison.Ordinal)
                + " The source connects at its next attempt, no restart needed.";
        }

        return exception.Message;
    }

    /// <summary>Problem and fix for `check` when the failure is about security; null for other failures.</summary>
    public static (string Problem, string Hint)? ForCheck(OpcUaException exception, OpcUaSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(options);
        var showOwn = $"telemetry-edge certs show-own --pki {Quote(options.PkiPath ?? "<data_dir>/pki")}";
        switch (exception.StatusCode.Code)
        {
            case StatusCodes.BadCertificateUntrusted when UntrustedThumbprint(exception) is { } thumbprint:
                return (Describe(exception, options).Replace(" The source connects at its next attempt, no restart needed.", string.Empty, StringComparison.Ordinal),
                    $"Check that the thumbprint is the PLC's (its OPC UA settings show it), then run `{TrustCommand(thumbprint, options.PkiPath)}`; the running agent connects at its next attempt.");
            case StatusCodes.BadCertificateUntrusted or StatusCodes.BadSecurityChecksFailed or StatusCodes.BadCertificateInvalid when !options.Security.IsNone:
                return (exception.Message,
                    $"If the PLC refused this agent's certificate, trust it on the PLC: `{showOwn}` prints it and its file (ApplicationUri {options.ApplicationUri}); many PLCs list refused clients in their certificate settings.");
            case StatusCodes.BadCertificateTimeInvalid or StatusCodes.BadCertificateUriInvalid or StatusCodes.BadCertificateUseNotAllowed
                or StatusCodes.BadCertificateRevoked or StatusCodes.BadCertificatePolicyCheckFailed:
                return (exception.Message, "Have the PLC's certificate renewed or reissued (its OPC UA server settings); trusting it does not help.");
            case StatusCodes.BadSecurityModeRejected:
                return (exception.Message, "Set this source's security: { mode, policy } to one the PLC offers (listed above), or enable that endpoint on the PLC.");
            default:
                return null;
        }
    }

    private static string Quote(string path) => path.Contains(' ', StringComparison.Ordinal) ? $"\"{path}\"" : path;

    [GeneratedRegex("certs trust ([0-9A-F]{40})")]
    private static partial Regex TrustCommandPattern();
}
