using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Telemetry.Edge.OpcUa;
using Telemetry.OpcUa;
using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Services;

namespace Telemetry.EdgeAgent.Commands;

/// <summary>
/// `telemetry-edge browse opc.tcp://host:port [--depth N] [--from Objects/…] [--user U --password-env VAR]
/// [--security sign|sign-and-encrypt [--policy NAME] [--pki DIR | --config FILE]] [--snippet Objects/Press1]`:
/// prints a PLC's address space as an indented tree (browse names, node ids with namespace URIs, data types, current
/// values), or with --snippet an edge.yaml source for one folder. Secured as a source would be (<see cref="BrowseSecurity"/>):
/// an untrusted PLC certificate lands in rejected/ and the error names the `certs trust` command.
/// </summary>
public static class BrowseCommand
{
    /// <summary>Nodes printed at most (a big PLC is browsed folder by folder with --from).</summary>
    public const int MaxNodes = 5000;

    /// <summary>`browse URL --x …` as options: the URL may stand first without --url.</summary>
    public static ReadOnlySpan<string> Arguments(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal)
            ? (string[])["--url", .. args.AsSpan(1)]
            : args.AsSpan(1);
    }

    public static async Task<int> RunAsync(CommandOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var url = options.GetString("url") ?? throw new CommandLineException("browse needs the PLC's endpoint: telemetry-edge browse opc.tcp://host:4840");
        var depthText = options.GetString("depth");
        var depth = options.GetInt("depth", 3, 1, OpcUaSourceOptions.MaxRuleDepth);
        var from = options.GetString("from") ?? "Objects";
        var snippet = options.GetString("snippet");
        var user = options.GetString("user");
        var passwordEnv = options.GetString("password-env");
        var passwordFile = options.GetString("password-file");
        var timeout = TimeSpan.FromSeconds(options.GetDouble("timeout", 10, 0.1, 600));
        var security = BrowseSecurity.Read(options);
        options.EnsureAllUsed("browse");

        var client = new UaClientOptions
        {
            EndpointUrl = url,
            SessionName = "telemetry-edge browse",
            Identity = Identity(user, passwordEnv, passwordFile),
            RequestTimeout = timeout,
            SecurityMode = security.Security.Mode,
            SecurityPolicyUri = security.Security.PolicyUri,
            PkiPath = security.PkiPath,
            ApplicationUri = security.ApplicationUri,
            ApplicationName = security.ApplicationName,
        };
        try
        {
            client.Validate();
        }
        catch (OpcUaException)
        {
            throw new CommandLineException($"'{url}' is not an OPC UA endpoint URL; expected e.g. opc.tcp://10.0.0.5:4840.");
        }

        UaSession session;
        using (var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            connect.CancelAfter(timeout);
            try
            {
                session = await UaSession.ConnectAsync(client, connect.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OpcUaException or TimeoutException or IOException
                || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                var (host, port) = UaTcpHostAndPort(url);
                string? problem, hint;
                if (ex is OpcUaException ua && SecurityFailure(ua, security, url) is { } refused)
                {
                    (problem, hint) = refused;
                }
                else
                {
                    var result = ex is OperationCanceledException
                        ? Telemetry.Edge.Checks.FixHints.TimedOut(host, port, timeout)
                        : OpcUaProbe.Explain(ex, host, port, timeout);
                    (problem, hint) = (result.Problem, result.Hint);
                }

                await error.WriteLineAsync($"telemetry-edge: cannot browse {url}: {problem}").ConfigureAwait(false);
                await error.WriteLineAsync($"  fix: {hint}").ConfigureAwait(false);
                return CommandLine.Failed;
            }
        }

        await using (session.ConfigureAwait(false))
        {
            try
            {
                if (snippet is not null)
                {
                    await WriteSnippetAsync(session, snippet, depthText is null ? OpcUaSourceOptions.MaxRuleDepth : depth, security, user, passwordEnv, passwordFile, output, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await WriteTreeAsync(session, from, depth, output, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OpcUaException ex) when (ex.StatusCode.Code is StatusCodes.BadNoMatch or StatusCodes.BadTooManyMatches or StatusCodes.BadTooManyMonitoredItems)
            {
                await error.WriteLineAsync($"telemetry-edge: {ex.Message}").ConfigureAwait(false);
                return CommandLine.UsageError;
            }
            catch (Exception ex) when (ex is OpcUaException or TimeoutException)
            {
                await error.WriteLineAsync($"telemetry-edge: browsing {url} failed: {ex.Message}").ConfigureAwait(false);
                return CommandLine.Failed;
            }

            try
            {
                using var close = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await session.CloseAsync(close.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OpcUaException or TimeoutException or OperationCanceledException)
            {
                // the answer is printed; a PLC that drops the session close is no failure of the browse
            }
        }

        return CommandLine.Ok;
    }

    /// <summary>
    /// Problem and fix for a refused secured connect: an untrusted PLC certificate (now in rejected/) with the exact
    /// `certs trust` command for the PKI folder used, else the hints `check` gives; null for other failures.
    /// </summary>
    private static (string Problem, string Hint)? SecurityFailure(OpcUaException exception, BrowseSecurity security, string url)
    {
        if (OpcUaSecurityHints.UntrustedThumbprint(exception) is { } thumbprint)
        {
            var trust = OpcUaSecurityHints.TrustCommand(thumbprint, security.PkiPath);
            return (exception.Message.Replace(Telemetry.OpcUa.Security.ServerCertificateValidator.TrustCommand(thumbprint), trust, StringComparison.Ordinal),
                $"Check that the thumbprint is the PLC's (its OPC UA settings show it), then run `{trust}` and browse again.");
        }

        if (exception.StatusCode.Code == StatusCodes.BadSecurityModeRejected)
        {
            return (exception.Message, "Give --security and --policy one of the endpoints the PLC offers (named above), or enable that endpoint on the PLC.");
        }

        if (exception.StatusCode.Code == StatusCodes.BadSecurityPolicyRejected && security.IsNone)
        {
            return (exception.Message, $"The PLC offers only secured endpoints: browse with --security sign-and-encrypt (and the agent's --pki {security.PkiDisplay} or --config), e.g. telemetry-edge browse {url} --security sign-and-encrypt --pki /var/lib/telemetry-edge/pki.");
        }

        return OpcUaSecurityHints.ForCheck(exception, security.AsSource(url));
    }

    private static UserIdentity Identity(string? user, string? passwordEnv, string? passwordFile)
    {
        if (user is null)
        {
            return passwordEnv is null && passwordFile is null
                ? UserIdentity.Anonymous
                : throw new CommandLineException("--password-env/--password-file need --user.");
        }

        string? password;
        if (passwordEnv is not null)
        {
            password = Environment.GetEnvironmentVariable(passwordEnv);
            if (string.IsNullOrEmpty(password))
            {
                throw new CommandLineException($"--password-env {passwordEnv}: the environment variable is not set or empty.");
            }
        }
        else if (passwordFile is not null)
        {
            try
            {
                password = File.ReadAllText(passwordFile).Trim();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CommandLineException($"--password-file {passwordFile}: cannot read it: {ex.Message}");
            }
        }
        else
        {
            throw new CommandLineException("--user needs --password-env VAR (or --password-file PATH); passwords are never given on the command line.");
        }

        return UserIdentity.FromUserName(user, password);
    }

    private static async Task WriteTreeAsync(UaSession session, string from, int depth, TextWriter output, CancellationToken cancellationToken)
    {
        var resolver = new OpcUaNodeResolver(session);
        var path = from.Trim('/').Split('/');
        var start = await resolver.FindPathAsync(path, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"{session.EndpointUrl} ({session.Endpoint?.SecurityName ?? "None"}); namespaces: {string.Join(", ", session.Namespaces.Uris.Select((u, i) => $"{i}={u}"))}").ConfigureAwait(false);
        await output.WriteLineAsync($"{string.Join('/', path)}  {start.NodeId}").ConfigureAwait(false);
        var printed = 0;
        await WriteChildrenAsync(session, start.NodeId, 1, depth, output, () => ++printed, cancellationToken).ConfigureAwait(false);
        if (printed >= MaxNodes)
        {
            await output.WriteLineAsync($"… stopped after {MaxNodes} nodes; browse a folder with --from Objects/… or lower --depth.").ConfigureAwait(false);
        }
    }

    private static async Task WriteChildrenAsync(UaSession session, ExpandedNodeId node, int level, int depth, TextWriter output, Func<int> count, CancellationToken cancellationToken)
    {
        var children = await session.BrowseAsync(node, NodeClass.Object | NodeClass.Variable, cancellationToken).ConfigureAwait(false);
        var variables = children.Where(c => c.NodeClass == NodeClass.Variable).Select(c => c.NodeId).ToArray();
        var values = variables.Length == 0 ? [] : await session.ReadAsync(variables, AttributeId.Value, cancellationToken).ConfigureAwait(false);
        var types = variables.Length == 0 ? [] : await session.ReadAsync(variables, AttributeId.DataType, cancellationToken).ConfigureAwait(false);
        var indent = new string(' ', level * 2);
        var v = 0;
        foreach (var child in children)
        {
            if (count() > MaxNodes)
            {
                return;
            }

            var name = child.BrowseName.Name ?? child.DisplayName;
            if (child.NodeClass == NodeClass.Variable)
            {
                var value = values[v].StatusCode.IsBad ? values[v].StatusCode.ToString() : OpcUaValueConverter.Display(values[v].Value);
                var property = child.ReferenceTypeId == new NodeId(UaNodeIds.HasProperty) ? " (property)" : string.Empty;
                await output.WriteLineAsync($"{indent}{name}  {child.NodeId}  {TypeName(session, types[v])} = {Clip(value)}{property}").ConfigureAwait(false);
                v++;
                continue;
            }

            var isServer = child.NodeId == new ExpandedNodeId(new NodeId(UaNodeIds.Server)) && level == 1;
            await output.WriteLineAsync($"{indent}{name}/  {child.NodeId}{(isServer ? "  (the server's own object: --from Objects/Server to see it)" : string.Empty)}").ConfigureAwait(false);
            if (level < depth && !isServer)
            {
                await WriteChildrenAsync(session, child.NodeId, level + 1, depth, output, count, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [SuppressMessage("Globalization", "CA1308:Normalize strings to uppercase", Justification = "machine names in configs are lower case by convention")]
    private static async Task WriteSnippetAsync(UaSession session, string folderPath, int depth, BrowseSecurity security, string? user, string? passwordEnv, string? passwordFile, TextWriter output, CancellationToken cancellationToken)
    {
        var resolver = new OpcUaNodeResolver(session);
        var path = folderPath.Trim('/').Split('/');
        if (path[0] != "Objects")
        {
            path = ["Objects", .. path];
        }

        var folder = await resolver.FindPathAsync(path, cancellationToken).ConfigureAwait(false);
        var variables = await resolver.CollectVariablesAsync(folder.NodeId, depth, cancellationToken).ConfigureAwait(false);
        if (variables.Count == 0)
        {
            throw new OpcUaException(new StatusCode(StatusCodes.BadNoMatch), $"no variables under {string.Join('/', path)} (depth {depth}); pick another folder (telemetry-edge browse {session.EndpointUrl}).");
        }

        var machine = ConfigName(folder.BrowseName.Name, "machine").ToLowerInvariant();
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# {variables.Count} variable(s) under {string.Join('/', path)} on {session.EndpointUrl}: paste this under 'sources:' in edge.yaml\n");
        text.Append(CultureInfo.InvariantCulture, $"  - name: {ConfigName(machine + "-opcua", "plc")}\n");
        text.Append("    type: opcua\n");
        text.Append(CultureInfo.InvariantCulture, $"    endpoint: {session.EndpointUrl}\n");
        text.Append(security.SnippetLine(session.Endpoint?.SecurityPolicyUri));
        if (user is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"    username: {Quote(user)}\n");
            text.Append(passwordFile is not null
                ? $"    password: {{ file: {Quote(passwordFile)} }}\n"
                : $"    password: {{ env: {passwordEnv} }}\n");
        }

        text.Append("    publishing_interval: 1s\n");
        text.Append("    sampling_interval: 500ms\n");
        text.Append(CultureInfo.InvariantCulture, $"    machine: {machine}\n");
        text.Append("    nodes:\n");
        var tags = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (id, relative) in variables)
        {
            var tag = ConfigName(relative, "tag");
            for (var i = 2; !tags.Add(tag); i++)
            {
                tag = ConfigName($"{relative}_{i.ToString(CultureInfo.InvariantCulture)}", "tag");
            }

            text.Append(CultureInfo.InvariantCulture, $"      - node: {Quote(id.ToString())}\n");
            text.Append(CultureInfo.InvariantCulture, $"        tag: {tag}\n");
        }

        text.Append("      # or, instead of the list above, every variable under the folder (also ones added later):\n");
        text.Append(CultureInfo.InvariantCulture, $"      # - browse: {Quote(string.Join('/', path))}\n");
        await output.WriteAsync(text.ToString()).ConfigureAwait(false);
    }

    /// <summary>A name the config accepts (letters, digits, '-', '_', '.'; starts with a letter or digit; at most 64).</summary>
    private static string ConfigName(string? text, string fallback)
    {
        var name = OpcUaNodeResolver.TagName(text);
        if (!char.IsAsciiLetterOrDigit(name[0]))
        {
            name = fallback + name;
        }

        return name.Length <= 64 ? name : name[..64];
    }

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string TypeName(UaSession session, in DataValue type)
    {
        if (type.Value.Value is not NodeId id)
        {
            return "?";
        }

        return id.NamespaceIndex == 0 && id.IdType == NodeIdType.Numeric && id.NumericIdentifier is >= 1 and <= 25
            ? ((BuiltInType)id.NumericIdentifier).ToString()
            : session.Namespaces.ToExpanded(id).ToString();
    }

    private static string Clip(string value) => value.Length <= 80 ? value : string.Concat(value.AsSpan(0, 79), "…");

    private static (string Host, int Port) UaTcpHostAndPort(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? (uri.Host, uri.Port < 0 ? 4840 : uri.Port) : (url, 4840);
}
