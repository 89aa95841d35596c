using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ServiceMesh.Discovery.Server.Filtering;

internal enum FieldKind
{
    String,
    Integer,
    Unsigned,
    Float,
    Boolean,
    List,
    Map,
    Struct,
    /// <summary>Kept verbatim (Proxy, Connect): any selector below it and any operator are accepted.</summary>
    Opaque,
}

/// <summary>
/// What a selector may reach in a response element and which operators apply there: go-bexpr's field configurations,
/// derived here from the source-generated JSON contract of the element instead of Go reflection.
/// </summary>
internal sealed class FieldShape
{
    // Consul tags its Raft indexes bexpr:"-": they cannot be filtered on.
    private static readonly HashSet<string> Unselectable = new(StringComparer.Ordinal) { "CreateIndex", "ModifyIndex" };
    private static readonly ConcurrentDictionary<Type, FieldShape> Shapes = new();

    private FieldShape(FieldKind kind) => Kind = kind;

    public FieldKind Kind { get; }

    /// <summary>A struct's fields by JSON name.</summary>
    public IReadOnlyDictionary<string, FieldShape> Fields { get; private set; } = new Dictionary<string, FieldShape>();

    /// <summary>A list's element or a map's value.</summary>
    public FieldShape? Element { get; private set; }

    public bool IsPrimitive => Kind is FieldKind.String or FieldKind.Integer or FieldKind.Unsigned or FieldKind.Float or FieldKind.Boolean;

    /// <summary>The operators bexpr allows on this field (the last part of a selector).</summary>
    public bool Supports(MatchOperator op) => Kind switch
    {
        FieldKind.String => op is not (MatchOperator.IsEmpty or MatchOperator.IsNotEmpty),
        FieldKind.Integer or FieldKind.Unsigned or FieldKind.Float or FieldKind.Boolean => op is MatchOperator.Equal or MatchOperator.NotEqual,
        FieldKind.List when Element!.IsPrimitive => op is MatchOperator.In or MatchOperator.NotIn or MatchOperator.IsEmpty or MatchOperator.IsNotEmpty,
        FieldKind.List => op is MatchOperator.IsEmpty or MatchOperator.IsNotEmpty,
        FieldKind.Map => op is MatchOperator.In or MatchOperator.NotIn or MatchOperator.IsEmpty or MatchOperator.IsNotEmpty,
        FieldKind.Opaque => true,
        _ => false,
    };

    /// <summary>The field a selector part names below this one (a map accepts any key), or null when it names nothing.</summary>
    public FieldShape? Child(string name) => Kind switch
    {
        FieldKind.Struct => Fields.GetValueOrDefault(name),
        FieldKind.Map => Element,
        FieldKind.List when !Element!.IsPrimitive => Element.Child(name), // through a list: its elements' fields
        FieldKind.Opaque => this,
        _ => null,
    };

    public static FieldShape Of(JsonTypeInfo type)
    {
        if (Shapes.TryGetValue(type.Type, out var known))
        {
            return known;
        }

        var building = new Dictionary<Type, FieldShape>();
        var shape = Build(type, building);
        foreach (var (clr, built) in building)
        {
            Shapes.TryAdd(clr, built); // published once complete: a struct is registered before its fields are filled in
        }
        return shape;
    }

    private static FieldShape Build(JsonTypeInfo type, Dictionary<Type, FieldShape> building)
    {
        if (Shapes.TryGetValue(type.Type, out var known) || building.TryGetValue(type.Type, out known))
        {
            return known;
        }

        var clr = Nullable.GetUnderlyingType(type.Type) ?? type.Type;
        var shape = new FieldShape(Primitive(clr) ?? type.Kind switch
        {
            JsonTypeInfoKind.Enumerable => FieldKind.List,
            JsonTypeInfoKind.Dictionary => FieldKind.Map,
            JsonTypeInfoKind.Object => FieldKind.Struct,
            _ => FieldKind.Opaque,
        });
        building[type.Type] = shape; // before the fields: a type that contains itself ends here
        if (shape.Kind is FieldKind.List or FieldKind.Map)
        {
            shape.Element = Build(type.Options.GetTypeInfo(type.ElementType!), building);
        }
        else if (shape.Kind == FieldKind.Struct)
        {
            shape.Fields = type.Properties.Where(p => !Unselectable.Contains(p.Name))
                .ToDictionary(p => p.Name, p => Build(type.Options.GetTypeInfo(p.PropertyType), building), StringComparer.Ordinal);
        }
        return shape;
    }

    private static FieldKind? Primitive(Type type) =>
        type == typeof(string) ? FieldKind.String
        : type == typeof(bool) ? FieldKind.Boolean
        : type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(sbyte) ? FieldKind.Integer
        : type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(byte) ? FieldKind.Unsigned
        : type == typeof(double) || type == typeof(float) || type == typeof(decimal) ? FieldKind.Float
        : type == typeof(JsonElement) ? FieldKind.Opaque
        : null;
}
