using System.Collections;
using System.Text.Json.Serialization.Metadata;

namespace ServiceMesh.Http;

/// <summary>
/// Finds the first null a request model has no room for (a list element <c>Tags[0]</c>, a map value <c>Meta.k</c>, a
/// non-nullable property) by walking the source-generated JSON contract, so it works under Native AOT. System.Text.Json
/// leaves all three to the caller (RespectNullableAnnotations skips collection elements).
/// </summary>
internal static class JsonNulls
{
    public static string? Find(object value, JsonTypeInfo type) => Walk(value, type, "");

    private static string? Walk(object value, JsonTypeInfo type, string path) => type.Kind switch
    {
        JsonTypeInfoKind.Object => InObject(value, type, path),
        JsonTypeInfoKind.Dictionary when value is IDictionary map => InMap(map, type, path),
        JsonTypeInfoKind.Enumerable when value is IEnumerable list => InList(list, type, path),
        _ => null,
    };

    private static string? InObject(object value, JsonTypeInfo type, string path)
    {
        foreach (var property in type.Properties)
        {
            if (property.Get is not { } get)
            {
                continue;
            }

            var child = get(value);
            var at = Member(path, property.Name);
            if (child is null)
            {
                if (!property.IsGetNullable)
                {
                    return at;
                }

                continue;
            }
            if (Walk(child, type.Options.GetTypeInfo(property.PropertyType), at) is { } found)
            {
                return found;
            }
        }
        return null;
    }

    private static string? InMap(IDictionary map, JsonTypeInfo type, string path)
    {
        var values = type.Options.GetTypeInfo(type.ElementType!);
        foreach (DictionaryEntry entry in map)
        {
            var at = Member(path, Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? "");
            if (entry.Value is null)
            {
                return at;
            }

            if (Walk(entry.Value, values, at) is { } found)
            {
                return found;
            }
        }
        return null;
    }

    private static string? InList(IEnumerable list, JsonTypeInfo type, string path)
    {
        var elements = type.Options.GetTypeInfo(type.ElementType!);
        var index = 0;
        foreach (var element in list)
        {
            var at = $"{path}[{index++}]";
            if (element is null)
            {
                return at;
            }

            if (Walk(element, elements, at) is { } found)
            {
                return found;
            }
        }
        return null;
    }

    // Simple names as ".name", anything else as "['a.b']", the way System.Text.Json writes its own paths.
    private static string Member(string path, string name)
    {
        var simple = name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
        return simple ? (path.Length == 0 ? name : $"{path}.{name}") : $"{path}['{name.Replace("'", "\\'", StringComparison.Ordinal)}']";
    }
}
