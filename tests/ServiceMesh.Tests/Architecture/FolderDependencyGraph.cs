using Mono.Cecil;
using Mono.Cecil.Cil;

namespace ServiceMesh.Tests.Architecture;

/// <summary>
/// Which top-level folder of src/ServiceMesh uses which, read from the compiled assembly's IL: signatures, base
/// types, attributes, fields and every type, method and field a method body touches. Namespaces follow folders
/// (FolderDependencyTests checks that), so ServiceMesh.X.Y belongs to folder X.
/// </summary>
internal sealed class FolderDependencyGraph
{
    private readonly Dictionary<string, Dictionary<string, SortedSet<string>>> _edges = new(StringComparer.Ordinal);

    public static FolderDependencyGraph Of(string assemblyPath)
    {
        var graph = new FolderDependencyGraph();
        using var assembly = AssemblyDefinition.ReadAssembly(assemblyPath);
        foreach (var type in assembly.MainModule.GetTypes())
        {
            var from = FolderOf(type);
            if (from is null)
            {
                continue;
            }

            foreach (var used in UsedTypes(type))
            {
                graph.Add(from, FolderOf(used), type.FullName, used.FullName);
            }
        }
        return graph;
    }

    public IEnumerable<string> Folders => _edges.Keys.Order(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Uses(string folder) =>
        _edges.TryGetValue(folder, out var targets) ? targets.Keys : [];

    /// <summary>One example use per edge, for a failure message that says where to look.</summary>
    public string Example(string from, string to) =>
        _edges.TryGetValue(from, out var targets) && targets.TryGetValue(to, out var uses) ? uses.First() : "";

    private void Add(string from, string? to, string user, string used)
    {
        if (to is null || to == from)
        {
            return;
        }

        if (!_edges.TryGetValue(from, out var targets))
        {
            _edges[from] = targets = new(StringComparer.Ordinal);
        }

        if (!targets.TryGetValue(to, out var uses))
        {
            targets[to] = uses = new(StringComparer.Ordinal);
        }

        uses.Add($"{user} -> {used}");
    }

    private static string? FolderOf(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        var parts = type.Namespace.Split('.');
        return parts.Length >= 2 && parts[0] == "ServiceMesh" ? parts[1] : null;
    }

    private static IEnumerable<TypeReference> UsedTypes(TypeDefinition type)
    {
        if (type.BaseType is not null)
        {
            foreach (var t in Expand(type.BaseType))
            {
                yield return t;
            }
        }

        foreach (var i in type.Interfaces)
        {
            foreach (var t in Expand(i.InterfaceType))
            {
                yield return t;
            }
        }

        foreach (var t in AttributeTypes(type.CustomAttributes))
        {
            yield return t;
        }

        foreach (var field in type.Fields)
        {
            foreach (var t in Expand(field.FieldType))
            {
                yield return t;
            }

            foreach (var t in AttributeTypes(field.CustomAttributes))
            {
                yield return t;
            }
        }
        foreach (var property in type.Properties)
        {
            foreach (var t in Expand(property.PropertyType))
            {
                yield return t;
            }
        }

        foreach (var method in type.Methods)
        {
            foreach (var t in MethodTypes(method))
            {
                yield return t;
            }
        }
    }

    private static IEnumerable<TypeReference> MethodTypes(MethodDefinition method)
    {
        foreach (var t in Expand(method.ReturnType))
        {
            yield return t;
        }

        foreach (var p in method.Parameters)
        {
            foreach (var t in Expand(p.ParameterType))
            {
                yield return t;
            }
        }

        foreach (var t in AttributeTypes(method.CustomAttributes))
        {
            yield return t;
        }

        if (!method.HasBody)
        {
            yield break;
        }

        foreach (var v in method.Body.Variables)
        {
            foreach (var t in Expand(v.VariableType))
            {
                yield return t;
            }
        }

        foreach (var instruction in method.Body.Instructions)
        {
            foreach (var t in OperandTypes(instruction))
            {
                yield return t;
            }
        }
    }

    private static IEnumerable<TypeReference> OperandTypes(Instruction instruction) => instruction.Operand switch
    {
        TypeReference type => Expand(type),
        MethodReference method => Expand(method.DeclaringType).Concat(Expand(method.ReturnType))
            .Concat(method.Parameters.SelectMany(p => Expand(p.ParameterType)))
            .Concat(method is GenericInstanceMethod g ? g.GenericArguments.SelectMany(Expand) : []),
        FieldReference field => Expand(field.DeclaringType).Concat(Expand(field.FieldType)),
        _ => [],
    };

    private static IEnumerable<TypeReference> AttributeTypes(IEnumerable<CustomAttribute> attributes) =>
        attributes.SelectMany(a => Expand(a.AttributeType));

    /// <summary>A type and, for arrays, pointers and generic instances, the types inside it.</summary>
    private static IEnumerable<TypeReference> Expand(TypeReference type)
    {
        yield return type;
        if (type is TypeSpecification spec)
        {
            foreach (var t in Expand(spec.ElementType))
            {
                yield return t;
            }
        }

        if (type is GenericInstanceType generic)
        {
            foreach (var argument in generic.GenericArguments)
            {
                foreach (var t in Expand(argument))
                {
                    yield return t;
                }
            }
        }
    }
}
