using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AnFunctions.Infra.Tests;

/// <summary>
/// A compiled ARM template. Bicep modules become nested <c>Microsoft.Resources/deployments</c> whose
/// <c>properties.template</c> holds their resources, so resources are found by walking the tree; <c>resources</c> is an
/// array, or an object keyed by symbolic name (languageVersion 2.0).
/// </summary>
internal sealed partial class ArmTemplate(JsonDocument document, string text) : IDisposable
{
    public JsonElement Root => document.RootElement;

    /// <summary>The whole compiled text, for checks that no forbidden construct appears anywhere.</summary>
    public string Text { get; } = text;

    /// <summary>Every resource of the template and of its nested deployments, with the template declaring it.</summary>
    public IEnumerable<ArmResource> AllResources() => Walk(Root, "main", module: null);

    /// <summary>Resources of a type (case-insensitive), <c>existing</c> references left out.</summary>
    public IReadOnlyList<ArmResource> Declared(string type) =>
        AllResources().Where(r => r.Type.Equals(type, StringComparison.OrdinalIgnoreCase) && !r.IsExisting).ToList();

    /// <summary>The one declared resource of a type; fails when there is none or several.</summary>
    public ArmResource Single(string type)
    {
        var found = Declared(type);
        Assert.True(found.Count == 1, $"expected one declared {type}, found {found.Count}");
        return found[0];
    }

    /// <summary>The nested deployment a module compiles to, by its symbolic name (languageVersion 2.0).</summary>
    public ArmResource Module(string symbolicName) =>
        AllResources().SingleOrDefault(r => r.SymbolicName == symbolicName && r.Type == "Microsoft.Resources/deployments")
        ?? throw new InvalidOperationException($"no module '{symbolicName}'");

    public void Dispose() => document.Dispose();

    private static IEnumerable<ArmResource> Walk(JsonElement template, string path, JsonElement? module)
    {
        if (!template.TryGetProperty("resources", out var resources))
        {
            yield break;
        }

        var entries = resources.ValueKind == JsonValueKind.Object
            ? resources.EnumerateObject().Select(p => (Name: (string?)p.Name, Value: p.Value))
            : resources.EnumerateArray().Select(v => (Name: (string?)null, Value: v));

        foreach (var (name, value) in entries)
        {
            var resource = new ArmResource(value, template, name, path, module);
            yield return resource;

            if (resource.Type == "Microsoft.Resources/deployments"
                && value.TryGetProperty("properties", out var properties)
                && properties.TryGetProperty("template", out var nested))
            {
                foreach (var child in Walk(nested, $"{path}/{name ?? resource.Name}", value))
                {
                    yield return child;
                }
            }
        }
    }

    /// <summary>
    /// Arguments of the first call of <paramref name="function"/> in an ARM expression, split at top-level commas
    /// (quotes with '' escapes, nested calls and brackets respected), trimmed.
    /// </summary>
    public static IReadOnlyList<string> CallArguments(string expression, string function)
    {
        var start = expression.IndexOf(function + "(", StringComparison.Ordinal);
        Assert.True(start >= 0, $"'{function}(' not found in {expression}");

        var arguments = new List<string>();
        var current = new StringBuilder();
        var depth = 0;
        var quoted = false;
        for (var i = start + function.Length + 1; i < expression.Length; i++)
        {
            var c = expression[i];
            if (quoted)
            {
                current.Append(c);
                if (c == '\'')
                {
                    if (i + 1 < expression.Length && expression[i + 1] == '\'')
                    {
                        current.Append('\'');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }

                continue;
            }

            switch (c)
            {
                case '\'':
                    quoted = true;
                    current.Append(c);
                    break;
                case '(' or '[':
                    depth++;
                    current.Append(c);
                    break;
                case ')' or ']' when depth > 0:
                    depth--;
                    current.Append(c);
                    break;
                case ')':
                    arguments.Add(current.ToString().Trim());
                    return arguments;
                case ',' when depth == 0:
                    arguments.Add(current.ToString().Trim());
                    current.Clear();
                    break;
                default:
                    current.Append(c);
                    break;
            }
        }

        throw new FormatException($"unbalanced call of {function} in {expression}");
    }

    /// <summary>The key/value pairs of the first <c>createObject(...)</c> in an expression: literal keys, raw value expressions.</summary>
    public static IReadOnlyDictionary<string, string> CreateObjectPairs(string expression)
    {
        var arguments = CallArguments(expression, "createObject");
        Assert.True(arguments.Count % 2 == 0, $"createObject with an odd number of arguments: {expression}");
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < arguments.Count; i += 2)
        {
            pairs.Add(Unquote(arguments[i]), arguments[i + 1]);
        }

        return pairs;
    }

    /// <summary>'text' → text ('' → ').</summary>
    public static string Unquote(string literal)
    {
        Assert.True(literal.Length >= 2 && literal[0] == '\'' && literal[^1] == '\'', $"not a string literal: {literal}");
        return literal[1..^1].Replace("''", "'", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\[parameters\('(?<name>[^']+)'\)\]$")]
    internal static partial Regex ParameterReference();

    [GeneratedRegex(@"^\[variables\('(?<name>[^']+)'\)(?<path>(\.[A-Za-z_$][A-Za-z0-9_$]*)*)\]$")]
    internal static partial Regex VariableReference();
}

/// <summary>A resource of a compiled template, with the template (variables, parameters) it is declared in.</summary>
internal sealed record ArmResource(JsonElement Element, JsonElement Template, string? SymbolicName, string Path, JsonElement? Module)
{
    public string Type => Element.GetProperty("type").GetString()!;

    public string Name => Element.TryGetProperty("name", out var name) ? name.ToString() : "";

    public bool IsExisting => Element.TryGetProperty("existing", out var existing) && existing.ValueKind == JsonValueKind.True;

    public JsonElement Properties => Element.GetProperty("properties");

    /// <summary>A property by dotted path under <c>properties</c>, with <c>[variables('x').y]</c> references resolved.</summary>
    public JsonElement Property(string dottedPath)
    {
        var current = Resolve(Properties);
        foreach (var segment in dottedPath.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out var next))
            {
                throw new Xunit.Sdk.XunitException($"{this} has no properties.{dottedPath}: {Properties}");
            }

            current = Resolve(next);
        }

        return current;
    }

    /// <summary>
    /// Resolves a value that is only a reference to a template variable (and members of it), or to a parameter: the
    /// value the enclosing module passes for it (as written there), else the parameter's default value.
    /// </summary>
    public JsonElement Resolve(JsonElement value)
    {
        for (var hops = 0; hops < 10 && value.ValueKind == JsonValueKind.String; hops++)
        {
            var parameter = ArmTemplate.ParameterReference().Match(value.GetString()!);
            if (parameter.Success)
            {
                var name = parameter.Groups["name"].Value;
                if (Module is { } module
                    && module.GetProperty("properties").TryGetProperty("parameters", out var passed)
                    && passed.TryGetProperty(name, out var argument))
                {
                    return argument.GetProperty("value");
                }

                if (!Template.GetProperty("parameters").GetProperty(name).TryGetProperty("defaultValue", out var defaultValue))
                {
                    return value;
                }

                value = defaultValue;
                continue;
            }

            var match = ArmTemplate.VariableReference().Match(value.GetString()!);
            if (!match.Success)
            {
                return value;
            }

            value = Template.GetProperty("variables").GetProperty(match.Groups["name"].Value);
            foreach (var member in match.Groups["path"].Value.Split('.', StringSplitOptions.RemoveEmptyEntries))
            {
                value = Resolve(value).GetProperty(member);
            }
        }

        return value;
    }

    /// <summary>The declaration of one of the template's parameters (type, defaultValue, minValue, ...).</summary>
    public JsonElement ParameterDeclaration(string name) => Template.GetProperty("parameters").GetProperty(name);

    /// <summary>The value a module passes for one of its parameters (raw: literal or expression).</summary>
    public JsonElement ModuleParameter(string name) =>
        Properties.GetProperty("parameters").GetProperty(name).GetProperty("value");

    public override string ToString() => $"{Type} {Name} ({Path})";
}
