using System.Globalization;

namespace Telemetry.OpcUa.Encoding;

/// <summary>The kind of identifier of a <see cref="NodeId"/> (OPC 10000-3 §8.2.3).</summary>
public enum NodeIdType : byte
{
    Numeric = 0,
    String = 1,
    Guid = 2,
    Opaque = 3,
}

/// <summary>
/// A node id: namespace index plus a numeric, string, Guid or opaque (ByteString) identifier (OPC 10000-3 §8.2).
/// The namespace index is only valid within one session: the public client API takes
/// <see cref="ExpandedNodeId"/> with a namespace URI instead. <c>default</c> is the null node id (ns=0;i=0).
/// </summary>
public readonly struct NodeId : IEquatable<NodeId>
{
    private readonly uint _numeric;
    private readonly object? _identifier;

    public NodeId(uint value, ushort namespaceIndex = 0)
    {
        NamespaceIndex = namespaceIndex;
        IdType = NodeIdType.Numeric;
        _numeric = value;
    }

    public NodeId(string value, ushort namespaceIndex)
    {
        ArgumentNullException.ThrowIfNull(value);
        NamespaceIndex = namespaceIndex;
        IdType = NodeIdType.String;
        _identifier = value;
    }

    public NodeId(Guid value, ushort namespaceIndex)
    {
        NamespaceIndex = namespaceIndex;
        IdType = NodeIdType.Guid;
        _identifier = value;
    }

    public NodeId(byte[] value, ushort namespaceIndex)
    {
        ArgumentNullException.ThrowIfNull(value);
        NamespaceIndex = namespaceIndex;
        IdType = NodeIdType.Opaque;
        _identifier = value;
    }

    public static NodeId Null => default;

    public ushort NamespaceIndex { get; }

    public NodeIdType IdType { get; }

    public bool IsNull => IdType switch
    {
        NodeIdType.Numeric => _numeric == 0 && NamespaceIndex == 0,
        NodeIdType.String => NamespaceIndex == 0 && string.IsNullOrEmpty((string?)_identifier),
        NodeIdType.Guid => NamespaceIndex == 0 && (Guid)_identifier! == Guid.Empty,
        _ => NamespaceIndex == 0 && ((byte[]?)_identifier)?.Length is null or 0,
    };

    public uint NumericIdentifier => IdType == NodeIdType.Numeric ? _numeric : throw new InvalidOperationException($"{this} is not numeric.");

    public string StringIdentifier => IdType == NodeIdType.String ? (string)_identifier! : throw new InvalidOperationException($"{this} is not a string node id.");

    public Guid GuidIdentifier => IdType == NodeIdType.Guid ? (Guid)_identifier! : throw new InvalidOperationException($"{this} is not a Guid node id.");

    public byte[] OpaqueIdentifier => IdType == NodeIdType.Opaque ? (byte[])_identifier! : throw new InvalidOperationException($"{this} is not an opaque node id.");

    public static bool operator ==(NodeId left, NodeId right) => left.Equals(right);

    public static bool operator !=(NodeId left, NodeId right) => !left.Equals(right);

    public static implicit operator NodeId(uint value) => new(value);

    public NodeId WithNamespaceIndex(ushort namespaceIndex) => IdType switch
    {
        NodeIdType.Numeric => new NodeId(_numeric, namespaceIndex),
        NodeIdType.String => new NodeId((string)_identifier!, namespaceIndex),
        NodeIdType.Guid => new NodeId((Guid)_identifier!, namespaceIndex),
        _ => new NodeId((byte[])_identifier!, namespaceIndex),
    };

    public bool Equals(NodeId other)
    {
        if (NamespaceIndex != other.NamespaceIndex || IdType != other.IdType)
        {
            return IsNull && other.IsNull;
        }

        return IdType switch
        {
            NodeIdType.Numeric => _numeric == other._numeric,
            NodeIdType.String => string.Equals((string?)_identifier, (string?)other._identifier, StringComparison.Ordinal),
            NodeIdType.Guid => (Guid)_identifier! == (Guid)other._identifier!,
            _ => ((byte[])_identifier!).AsSpan().SequenceEqual((byte[])other._identifier!),
        };
    }

    public override bool Equals(object? obj) => obj is NodeId other && Equals(other);

    public override int GetHashCode() => IdType switch
    {
        NodeIdType.Numeric => HashCode.Combine(NamespaceIndex, _numeric),
        NodeIdType.String => HashCode.Combine(NamespaceIndex, StringComparer.Ordinal.GetHashCode((string)_identifier!)),
        NodeIdType.Guid => HashCode.Combine(NamespaceIndex, (Guid)_identifier!),
        _ => HashCode.Combine(NamespaceIndex, ((byte[])_identifier!).Length),
    };

    /// <summary>The standard text form: "i=85", "ns=2;s=Counter", "ns=1;g=…", "ns=1;b=base64".</summary>
    public override string ToString()
    {
        var prefix = NamespaceIndex == 0 ? string.Empty : $"ns={NamespaceIndex.ToString(CultureInfo.InvariantCulture)};";
        return prefix + IdentifierText();
    }

    internal string IdentifierText() => IdType switch
    {
        NodeIdType.Numeric => "i=" + _numeric.ToString(CultureInfo.InvariantCulture),
        NodeIdType.String => "s=" + (string)_identifier!,
        NodeIdType.Guid => "g=" + ((Guid)_identifier!).ToString("D"),
        _ => "b=" + Convert.ToBase64String((byte[])_identifier!),
    };

    /// <summary>Parses "i=85", "ns=2;s=Counter", "ns=1;g=…", "ns=1;b=…" (OPC 10000-6 §5.3.1.10).</summary>
    public static NodeId Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ushort ns = 0;
        var rest = text.AsSpan();
        if (rest.StartsWith("ns="))
        {
            var semicolon = rest.IndexOf(';');
            if (semicolon < 0 || !ushort.TryParse(rest[3..semicolon], NumberStyles.None, CultureInfo.InvariantCulture, out ns))
            {
                throw new FormatException($"'{text}' is not a node id: expected ns=<index>;<type>=<value>.");
            }

            rest = rest[(semicolon + 1)..];
        }

        return ParseIdentifier(text, rest, ns);
    }

    internal static NodeId ParseIdentifier(string text, ReadOnlySpan<char> rest, ushort ns)
    {
        if (rest.Length < 2 || rest[1] != '=')
        {
            throw new FormatException($"'{text}' is not a node id: expected i=, s=, g= or b=.");
        }

        var value = rest[2..];
        switch (rest[0])
        {
            case 'i' when uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var numeric):
                return new NodeId(numeric, ns);
            case 's':
                return new NodeId(value.ToString(), ns);
            case 'g' when Guid.TryParse(value, out var guid):
                return new NodeId(guid, ns);
            case 'b':
                try
                {
                    return new NodeId(Convert.FromBase64String(value.ToString()), ns);
                }
                catch (FormatException ex)
                {
                    throw new FormatException($"'{text}' is not a node id: the b= value is not base64.", ex);
                }

            default:
                throw new FormatException($"'{text}' is not a node id: bad identifier '{rest.ToString()}'.");
        }
    }
}
