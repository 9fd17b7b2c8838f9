using System.Collections;
using System.Runtime.CompilerServices;

namespace Telemetry.OpcUa.Encoding;

/// <summary>
/// A value of any built-in type, a one-dimensional array, or a matrix (OPC 10000-6 §5.2.2.16). Numeric scalars,
/// Boolean, DateTime and StatusCode live in a 64-bit field, so decoding them allocates nothing; everything
/// else is held by reference. Arrays are typed .NET arrays (double[], string?[], Variant[], …); a matrix is its
/// flattened array plus <see cref="ArrayDimensions"/>.
/// </summary>
public readonly partial struct Variant : IEquatable<Variant>
{
    private readonly object? _ref;
    private readonly long _bits;
    private readonly int[]? _dimensions;
    private readonly BuiltInType _type;
    private readonly bool _isArray;

    private Variant(BuiltInType type, long bits, object? reference, bool isArray = false, int[]? dimensions = null)
    {
        _type = type;
        _bits = bits;
        _ref = reference;
        _isArray = isArray;
        _dimensions = dimensions;
    }

    public static Variant Null => default;

    public BuiltInType Type => _type;

    public bool IsNull => _type == BuiltInType.Null;

    public bool IsArray => _isArray;

    /// <summary>The dimensions of a matrix (null for scalars and one-dimensional arrays).</summary>
    public IReadOnlyList<int>? ArrayDimensions => _dimensions;

    /// <summary>The array (typed .NET array) of an array or matrix variant, else null.</summary>
    public Array? ArrayValue => _isArray ? (Array?)_ref : null;

    /// <summary>The value boxed (scalars) or the typed array; allocates for numeric scalars: use the As… accessors on hot paths.</summary>
    public object? Value => _isArray ? _ref : _type switch
    {
        BuiltInType.Null => null,
        BuiltInType.Boolean => _bits != 0,
        BuiltInType.SByte => (sbyte)_bits,
        BuiltInType.Byte => (byte)_bits,
        BuiltInType.Int16 => (short)_bits,
        BuiltInType.UInt16 => (ushort)_bits,
        BuiltInType.Int32 => (int)_bits,
        BuiltInType.UInt32 => (uint)_bits,
        BuiltInType.Int64 => _bits,
        BuiltInType.UInt64 => (ulong)_bits,
        BuiltInType.Float => BitConverter.Int32BitsToSingle((int)_bits),
        BuiltInType.Double => BitConverter.Int64BitsToDouble(_bits),
        BuiltInType.DateTime => new DateTime(_bits, DateTimeKind.Utc),
        BuiltInType.StatusCode => new StatusCode((uint)_bits),
        _ => _ref,
    };

    public static implicit operator Variant(bool value) => new(BuiltInType.Boolean, value ? 1 : 0, null);

    public static implicit operator Variant(sbyte value) => new(BuiltInType.SByte, value, null);

    public static implicit operator Variant(byte value) => new(BuiltInType.Byte, value, null);

    public static implicit operator Variant(short value) => new(BuiltInType.Int16, value, null);

    public static implicit operator Variant(ushort value) => new(BuiltInType.UInt16, value, null);

    public static implicit operator Variant(int value) => new(BuiltInType.Int32, value, null);

    public static implicit operator Variant(uint value) => new(BuiltInType.UInt32, value, null);

    public static implicit operator Variant(long value) => new(BuiltInType.Int64, value, null);

    public static implicit operator Variant(ulong value) => new(BuiltInType.UInt64, (long)value, null);

    public static implicit operator Variant(float value) => new(BuiltInType.Float, BitConverter.SingleToInt32Bits(value), null);

    public static implicit operator Variant(double value) => new(BuiltInType.Double, BitConverter.DoubleToInt64Bits(value), null);

    public static implicit operator Variant(string? value) => new(BuiltInType.String, 0, value);

    public static implicit operator Variant(DateTime value) => new(BuiltInType.DateTime, value.Ticks, null);

    public static implicit operator Variant(Guid value) => new(BuiltInType.Guid, 0, value);

    public static implicit operator Variant(byte[]? value) => new(BuiltInType.ByteString, 0, value);

    public static implicit operator Variant(NodeId value) => new(BuiltInType.NodeId, 0, value);

    public static implicit operator Variant(ExpandedNodeId value) => new(BuiltInType.ExpandedNodeId, 0, value);

    public static implicit operator Variant(StatusCode value) => new(BuiltInType.StatusCode, value.Code, null);

    public static implicit operator Variant(QualifiedName value) => new(BuiltInType.QualifiedName, 0, value);

    public static implicit operator Variant(LocalizedText value) => new(BuiltInType.LocalizedText, 0, value);

    public static implicit operator Variant(ExtensionObject? value) => new(BuiltInType.ExtensionObject, 0, value);

    public static implicit operator Variant(DataValue value) => new(BuiltInType.DataValue, 0, value);

    public static implicit operator Variant(DiagnosticInfo? value) => new(BuiltInType.DiagnosticInfo, 0, value);

    public static bool operator ==(Variant left, Variant right) => left.Equals(right);

    public static bool operator !=(Variant left, Variant right) => !left.Equals(right);

    public static Variant FromXmlElement(string? xml) => new(BuiltInType.XmlElement, 0, xml);

    /// <summary>An array (or, with <paramref name="dimensions"/>, a matrix) of <paramref name="type"/>; the .NET element type must match.</summary>
    public static Variant FromArray(BuiltInType type, Array? values, int[]? dimensions = null)
    {
        if (type is BuiltInType.Null)
        {
            throw new ArgumentException("An array needs an element type.", nameof(type));
        }

        if (values is not null && values.GetType().GetElementType() != ElementTypeOf(type))
        {
            throw new ArgumentException($"A {type} array must be {ElementTypeOf(type).Name}[], not {values.GetType().Name}.", nameof(values));
        }

        if (dimensions is not null)
        {
            long product = 1;
            foreach (var d in dimensions)
            {
                product *= d;
            }

            if (values is null || product != values.Length || dimensions.Length < 2)
            {
                throw new ArgumentException("A matrix needs at least two dimensions whose product is the array length.", nameof(dimensions));
            }
        }

        return new Variant(type, 0, values, isArray: true, dimensions);
    }

    public bool AsBoolean() => _bits != 0;

    public long AsInt64() => _bits;

    public ulong AsUInt64() => (ulong)_bits;

    public int AsInt32() => (int)_bits;

    public uint AsUInt32() => (uint)_bits;

    public double AsDouble() => BitConverter.Int64BitsToDouble(_bits);

    public float AsFloat() => BitConverter.Int32BitsToSingle((int)_bits);

    public DateTime AsDateTime() => new(_bits, DateTimeKind.Utc);

    public StatusCode AsStatusCode() => new((uint)_bits);

    public string? AsString() => _ref as string;

    /// <summary>The raw 64-bit field of a numeric scalar (the codec's fast path).</summary>
    internal long Bits => _bits;

    internal object? Reference => _ref;

    internal int[]? Dimensions => _dimensions;

    internal static Variant FromBits(BuiltInType type, long bits) => new(type, bits, null);

    internal static Variant FromReference(BuiltInType type, object? reference) => new(type, 0, reference);

    internal static Variant FromDecodedArray(BuiltInType type, Array? values, int[]? dimensions) => new(type, 0, values, isArray: true, dimensions);

    /// <summary>Any numeric or Boolean scalar as a double (telemetry's common denominator); false otherwise.</summary>
    public bool TryGetDouble(out double value)
    {
        value = _isArray ? 0 : _type switch
        {
            BuiltInType.Boolean or BuiltInType.SByte or BuiltInType.Byte or BuiltInType.Int16 or BuiltInType.UInt16
                or BuiltInType.Int32 or BuiltInType.UInt32 or BuiltInType.Int64 => _bits,
            BuiltInType.UInt64 => (ulong)_bits,
            BuiltInType.Float => BitConverter.Int32BitsToSingle((int)_bits),
            BuiltInType.Double => BitConverter.Int64BitsToDouble(_bits),
            _ => double.NaN,
        };
        return !double.IsNaN(value) || _type is BuiltInType.Float or BuiltInType.Double;
    }

    internal static Type ElementTypeOf(BuiltInType type) => type switch
    {
        BuiltInType.Boolean => typeof(bool),
        BuiltInType.SByte => typeof(sbyte),
        BuiltInType.Byte => typeof(byte),
        BuiltInType.Int16 => typeof(short),
        BuiltInType.UInt16 => typeof(ushort),
        BuiltInType.Int32 => typeof(int),
        BuiltInType.UInt32 => typeof(uint),
        BuiltInType.Int64 => typeof(long),
        BuiltInType.UInt64 => typeof(ulong),
        BuiltInType.Float => typeof(float),
        BuiltInType.Double => typeof(double),
        BuiltInType.String or BuiltInType.XmlElement => typeof(string),
        BuiltInType.DateTime => typeof(DateTime),
        BuiltInType.Guid => typeof(Guid),
        BuiltInType.ByteString => typeof(byte[]),
        BuiltInType.NodeId => typeof(NodeId),
        BuiltInType.ExpandedNodeId => typeof(ExpandedNodeId),
        BuiltInType.StatusCode => typeof(StatusCode),
        BuiltInType.QualifiedName => typeof(QualifiedName),
        BuiltInType.LocalizedText => typeof(LocalizedText),
        BuiltInType.ExtensionObject => typeof(ExtensionObject),
        BuiltInType.DataValue => typeof(DataValue),
        BuiltInType.Variant => typeof(Variant),
        BuiltInType.DiagnosticInfo => typeof(DiagnosticInfo),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a built-in type."),
    };

    public bool Equals(Variant other)
    {
        if (_type != other._type || _isArray != other._isArray || !SameDimensions(_dimensions, other._dimensions))
        {
            return false;
        }

        if (_isArray)
        {
            return ArraysEqual((Array?)_ref, (Array?)other._ref);
        }

        return _bits == other._bits && ValuesEqual(_ref, other._ref);
    }

    public override bool Equals(object? obj) => obj is Variant other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_type, _isArray, _bits, _isArray ? ((Array?)_ref)?.Length : _ref?.GetHashCode());

    public override string ToString() => _isArray
        ? $"{_type}[{((Array?)_ref)?.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}]"
        : Value?.ToString() ?? "null";

    private static bool SameDimensions(int[]? a, int[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

    private static bool ArraysEqual(Array? a, Array? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        if (a.Length != b.Length)
        {
            return false;
        }

        var left = (IList)a;
        var right = (IList)b;
        for (var i = 0; i < left.Count; i++)
        {
            if (!ValuesEqual(left[i], right[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ValuesEqual(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        (byte[] x, byte[] y) => x.AsSpan().SequenceEqual(y),
        (ExtensionObject x, ExtensionObject y) => x.TypeId == y.TypeId && x.Encoding == y.Encoding && x.Body.Span.SequenceEqual(y.Body.Span),
        (double x, double y) => BitConverter.DoubleToInt64Bits(x) == BitConverter.DoubleToInt64Bits(y),
        (float x, float y) => BitConverter.SingleToInt32Bits(x) == BitConverter.SingleToInt32Bits(y),
        _ => a.Equals(b),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsBitsType(BuiltInType type) => type is (>= BuiltInType.Boolean and <= BuiltInType.Double) or BuiltInType.DateTime or BuiltInType.StatusCode;
}
