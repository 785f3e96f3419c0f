using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace AnFunctions.Infra.Tests;

/// <summary>
/// Evaluates the decisions of a compiled template (languageVersion 2.0) for given parameter values, offline: variables
/// (copy loops included), resource and module conditions, names and the parameters a module passes on, down into the
/// module's own template. It knows the ARM template functions these templates use to decide, no more, and names any
/// other it meets: <c>reference()</c> and friends need a live deployment and are never evaluated. Functions that are
/// lazy in ARM (<c>if</c>, <c>coalesce</c>) are lazy here. Object keys compare without regard to case, as in ARM.
/// <c>uniqueString</c> is a stand-in (a hash of its arguments, 13 lower-case characters): deterministic and different
/// for different arguments, as ARM's, but not ARM's value.
/// </summary>
internal sealed class ArmEvaluator
{
    private readonly JsonObject template;
    private readonly Func<string, (bool Found, JsonNode? Value)> suppliedParameter;
    private readonly string subscriptionId;
    private readonly Dictionary<string, JsonNode?> variables = new(StringComparer.OrdinalIgnoreCase);

    private ArmEvaluator(JsonObject template, Func<string, (bool Found, JsonNode? Value)> suppliedParameter, string subscriptionId)
    {
        this.template = template;
        this.suppliedParameter = suppliedParameter;
        this.subscriptionId = subscriptionId;
    }

    /// <summary>A deployment of <paramref name="compiledTemplate"/> to <paramref name="subscriptionId"/> with these parameter values (others take their defaults).</summary>
    public static ArmEvaluator For(string compiledTemplate, string subscriptionId, IReadOnlyDictionary<string, JsonNode?> parameters) =>
        new(JsonNode.Parse(compiledTemplate)!.AsObject(), name => parameters.TryGetValue(name, out var value) ? (true, value?.DeepClone()) : (false, null), subscriptionId);

    public JsonNode? Parameter(string name)
    {
        var (found, supplied) = suppliedParameter(name);
        if (found)
        {
            return supplied;
        }

        var declaration = template["parameters"]?[name] ?? throw new InvalidOperationException($"the template declares no parameter '{name}'");
        return declaration.AsObject().TryGetPropertyValue("defaultValue", out var value)
            ? Evaluate(value, Frame.Top)
            : throw new InvalidOperationException($"parameter '{name}' has no value and no default");
    }

    public JsonNode? Variable(string name)
    {
        if (variables.TryGetValue(name, out var cached))
        {
            return cached?.DeepClone();
        }

        var declared = template["variables"]!.AsObject();
        JsonNode? value;
        if (declared["copy"] is JsonArray loops && loops.OfType<JsonObject>().FirstOrDefault(l => (string?)l["name"] == name) is { } loop)
        {
            var count = (int)Evaluate(loop["count"], Frame.Top)!;
            value = new JsonArray([.. Enumerable.Range(0, count).Select(i => Evaluate(loop["input"], Frame.Top.With(name, i)))]);
        }
        else
        {
            value = declared.TryGetPropertyValue(name, out var raw) ? Evaluate(raw, Frame.Top) : throw new InvalidOperationException($"the template declares no variable '{name}'");
        }

        variables[name] = value;
        return value?.DeepClone();
    }

    public JsonNode? Output(string name) => Evaluate(template["outputs"]![name]!["value"], Frame.Top);

    /// <summary>Each instance of a resource or module (one per copy index), by symbolic name (languageVersion 2.0 templates).</summary>
    public IReadOnlyList<Deployed> Resource(string symbolicName) =>
        Instances(template["resources"] is JsonObject resources && resources[symbolicName] is JsonObject resource
            ? resource
            : throw new InvalidOperationException($"the template has no resource '{symbolicName}' (resources by symbolic name exist in languageVersion 2.0 only)"));

    /// <summary>Each instance of every resource of a type (case-insensitive) the template lists, <c>existing</c> references included.</summary>
    public IReadOnlyList<Deployed> OfType(string type) =>
        [.. Declarations().Where(r => string.Equals((string?)r["type"], type, StringComparison.OrdinalIgnoreCase)).SelectMany(Instances)];

    /// <summary>The symbolic names of the resources of a type (case-insensitive), <c>existing</c> references included.</summary>
    public IReadOnlyList<string> ResourcesOfType(string type) =>
        template["resources"] is JsonObject resources
            ? [.. resources.Where(r => string.Equals((string?)r.Value!["type"], type, StringComparison.OrdinalIgnoreCase)).Select(r => r.Key)]
            : throw new InvalidOperationException("resources have symbolic names in languageVersion 2.0 templates only");

    private IEnumerable<JsonObject> Declarations() => template["resources"] switch
    {
        JsonObject resources => resources.Select(r => r.Value!.AsObject()),
        JsonArray resources => resources.Select(r => r!.AsObject()),
        _ => [],
    };

    private List<Deployed> Instances(JsonObject resource)
    {
        if (resource["copy"] is not JsonObject copy)
        {
            return [new Deployed(this, resource, Frame.Top)];
        }

        var count = (int)Evaluate(copy["count"], Frame.Top)!;
        return [.. Enumerable.Range(0, count).Select(i => new Deployed(this, resource, Frame.Top.With((string)copy["name"]!, i, unnamed: true)))];
    }

    /// <summary>One instance of a resource or module: its condition, its properties, and for a module its template.</summary>
    internal sealed class Deployed(ArmEvaluator owner, JsonObject resource, Frame frame)
    {
        public JsonObject Declaration => resource;

        public bool IsExisting => resource["existing"] is JsonValue v && v.GetValue<bool>();

        public bool Condition => !resource.ContainsKey("condition") || (bool)owner.Evaluate(resource["condition"], frame)!;

        public JsonNode? Property(string name) => owner.Evaluate(resource[name], frame);

        public string? String(string name) => (string?)Property(name);

        /// <summary>The module's template, deployed with the parameter values this instance passes (evaluated when read).</summary>
        public ArmEvaluator Module()
        {
            var properties = resource["properties"]!.AsObject();
            var passed = properties["parameters"]?.AsObject() ?? [];
            var target = resource.ContainsKey("subscriptionId") ? String("subscriptionId")! : owner.subscriptionId;
            return new ArmEvaluator(
                properties["template"]!.AsObject(),
                name => passed.TryGetPropertyValue(name, out var p) ? (true, owner.Evaluate(p, frame)!["value"]?.DeepClone()) : (false, null),
                target);
        }
    }

    /// <summary>The copy indexes in force: by loop name, and the one <c>copyIndex()</c> without a name means.</summary>
    internal sealed record Frame(IReadOnlyDictionary<string, int> Loops, int? Unnamed, IReadOnlyDictionary<string, JsonNode?> LambdaVariables)
    {
        public static readonly Frame Top = new(
            new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase), null, new Dictionary<string, JsonNode?>(StringComparer.OrdinalIgnoreCase));

        public Frame With(string loop, int index, bool unnamed = false) =>
            this with { Loops = new Dictionary<string, int>(Loops, StringComparer.OrdinalIgnoreCase) { [loop] = index }, Unnamed = unnamed ? index : Unnamed };

        public Frame WithLambda(string name, JsonNode? value) =>
            this with { LambdaVariables = new Dictionary<string, JsonNode?>(LambdaVariables, StringComparer.OrdinalIgnoreCase) { [name] = value } };
    }

    private JsonNode? Evaluate(JsonNode? value, Frame frame) => value switch
    {
        // Property iteration: "copy": [{ name, count, input }] makes the property "name" an array.
        JsonObject obj when obj["copy"] is JsonArray loops => new JsonObject(
            obj.Where(p => p.Key != "copy").Select(p => KeyValuePair.Create(p.Key, Evaluate(p.Value, frame)))
                .Concat(loops.OfType<JsonObject>().Select(loop =>
                {
                    var name = (string)loop["name"]!;
                    var count = (int)Evaluate(loop["count"], frame)!;
                    return KeyValuePair.Create(name, (JsonNode?)new JsonArray([.. Enumerable.Range(0, count).Select(i => Evaluate(loop["input"], frame.With(name, i)))]));
                }))),
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, Evaluate(p.Value, frame)))),
        JsonArray array => new JsonArray([.. array.Select(v => Evaluate(v, frame))]),
        JsonValue text when text.TryGetValue<string>(out var s) && s.StartsWith('[') && s.EndsWith(']') && !s.StartsWith("[[", StringComparison.Ordinal) =>
            Eval(new Parser(s[1..^1]).ParseAll(), frame),
        JsonValue text when text.TryGetValue<string>(out var s) && s.StartsWith("[[", StringComparison.Ordinal) => JsonValue.Create(s[1..]),
        _ => value?.DeepClone(),
    };

    private JsonNode? Eval(Node node, Frame frame)
    {
        switch (node)
        {
            case Literal literal:
                return literal.Value?.DeepClone();
            case Member member:
                return Lookup(Eval(member.Target, frame), JsonValue.Create(member.Name), member.ToString(), optional: false);
            case Index index:
                return Lookup(Eval(index.Target, frame), Eval(index.Key, frame), index.ToString(), optional: false);
            case Call call:
                return Invoke(call, frame);
            default:
                throw new NotSupportedException(node.ToString());
        }
    }

    private JsonNode? Invoke(Call call, Frame frame)
    {
        JsonNode? Arg(int i) => Eval(call.Arguments[i], frame);
        string Text(int i) => (string?)Arg(i) ?? throw new InvalidOperationException($"{call}: argument {i} is null");
        List<JsonNode?> All() => [.. call.Arguments.Select(a => Eval(a, frame))];

        switch (call.Name.ToLowerInvariant())
        {
            case "parameters": return Parameter(Text(0));
            case "variables": return Variable(Text(0));
            case "copyindex":
                // copyIndex(), copyIndex(offset), copyIndex('loop'), copyIndex('loop', offset)
                var named = call.Arguments.Count > 0 && Arg(0) is JsonValue first && first.TryGetValue<string>(out _);
                var loop = named ? Text(0) : null;
                var offset = call.Arguments.Count > (named ? 1 : 0) ? (int)Arg(named ? 1 : 0)! : 0;
                var index = loop is null
                    ? frame.Unnamed ?? throw new InvalidOperationException($"{call}: not inside a resource loop")
                    : frame.Loops.TryGetValue(loop, out var current) ? current : throw new InvalidOperationException($"{call}: not inside loop '{loop}'");
                return JsonValue.Create(index + offset);
            case "if": return (bool)Arg(0)! ? Arg(1) : Arg(2);
            case "lambdavariables":
                return frame.LambdaVariables.TryGetValue(Text(0), out var bound) ? bound?.DeepClone() : throw new InvalidOperationException($"{call}: no such lambda variable");
            case "toobject":
                var items = Arg(0)!.AsArray();
                var keyOf = Lambda(call.Arguments[1]);
                (string Parameter, Node Body)? valueOf = call.Arguments.Count > 2 ? Lambda(call.Arguments[2]) : null;
                var result = new JsonObject();
                foreach (var item in items)
                {
                    result[(string)Apply(keyOf, item, frame)!] = valueOf is { } toValue ? Apply(toValue, item, frame) : item?.DeepClone();
                }

                return result;
            case "filter":
                var test = Lambda(call.Arguments[1]);
                return new JsonArray([.. Arg(0)!.AsArray().Where(item => (bool)Apply(test, item, frame)!).Select(item => item?.DeepClone())]);
            case "map":
                var project = Lambda(call.Arguments[1]);
                return new JsonArray([.. Arg(0)!.AsArray().Select(item => Apply(project, item, frame))]);
            case "coalesce":
                foreach (var argument in call.Arguments)
                {
                    if (Eval(argument, frame) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case "trygetvalue" or "tryget": return Lookup(Arg(0), Arg(1), call.ToString(), optional: true);
            case "contains":
                return JsonValue.Create(Arg(0) switch
                {
                    JsonObject obj => Key(obj, Text(1)) is not null,
                    JsonArray array => array.Any(item => JsonNode.DeepEquals(item, Arg(1))),
                    JsonValue s => ((string)s!).Contains(Text(1), StringComparison.Ordinal),
                    _ => false,
                });
            case "empty":
                return JsonValue.Create(Arg(0) switch
                {
                    null => true,
                    JsonObject obj => obj.Count == 0,
                    JsonArray array => array.Count == 0,
                    JsonValue s when s.TryGetValue<string>(out var str) => str.Length == 0,
                    _ => false,
                });
            case "not": return JsonValue.Create(!(bool)Arg(0)!);
            case "and": return JsonValue.Create(All().All(v => (bool)v!));
            case "or": return JsonValue.Create(All().Any(v => (bool)v!));
            case "equals": return JsonValue.Create(JsonNode.DeepEquals(Arg(0), Arg(1)));
            case "true": return JsonValue.Create(true);
            case "false": return JsonValue.Create(false);
            case "null": return null;
            case "length": return JsonValue.Create(Arg(0) switch { JsonArray a => a.Count, JsonObject o => o.Count, var s => ((string)s!).Length });
            case "tolower": return JsonValue.Create(Text(0).ToLowerInvariant());
            case "toupper": return JsonValue.Create(Text(0).ToUpperInvariant());
            case "take": return JsonValue.Create(Text(0)[..Math.Min(Text(0).Length, (int)Arg(1)!)]);
            case "concat":
                var parts = All();
                return parts.All(p => p is JsonArray)
                    ? new JsonArray([.. parts.SelectMany(p => p!.AsArray()).Select(v => v?.DeepClone())])
                    : JsonValue.Create(string.Concat(parts.Select(Scalar)));
            case "format":
                return JsonValue.Create(string.Format(CultureInfo.InvariantCulture, Text(0), [.. All().Skip(1).Select(Scalar)]));
            case "createarray": return new JsonArray([.. All()]);
            case "createobject":
                var created = new JsonObject();
                for (var i = 0; i + 1 < call.Arguments.Count; i += 2)
                {
                    created[Text(i)] = Arg(i + 1);
                }

                return created;
            case "uniquestring":
                var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('|', All().Select(Scalar))));
                return JsonValue.Create(string.Concat(hash.Take(13).Select(b => "abcdefghijklmnopqrstuvwxyz234567"[b % 32])));
            case "resourceid":
                // resourceId([subscriptionId,] [resourceGroupName,] 'Namespace/type[/child]', name[, childName])
                var values = All().Select(Scalar).ToList();
                var typeAt = values.FindIndex(v => v.Contains('/', StringComparison.Ordinal));
                if (typeAt is < 1 or > 2)
                {
                    throw new NotSupportedException($"ArmEvaluator evaluates resourceId() with a resource group only: {call}");
                }

                var (subscriptionOf, group) = typeAt == 2 ? (values[0], values[1]) : (subscriptionId, values[0]);
                var segments = values[typeAt].Split('/');
                var path = new StringBuilder($"/subscriptions/{subscriptionOf}/resourceGroups/{group}/providers/{segments[0]}");
                foreach (var (type, name) in segments.Skip(1).Zip(values.Skip(typeAt + 1)))
                {
                    path.Append('/').Append(type).Append('/').Append(name);
                }

                return JsonValue.Create(path.ToString());
            case "subscription":
                return new JsonObject { ["id"] = $"/subscriptions/{subscriptionId}", ["subscriptionId"] = subscriptionId };
            default:
                throw new NotSupportedException($"ArmEvaluator does not evaluate {call.Name}() (in {call})");
        }
    }

    /// <summary>A one-parameter <c>lambda('name', body)</c>.</summary>
    private static (string Parameter, Node Body) Lambda(Node node) =>
        node is Call { Name: var name, Arguments: [Literal { Value: JsonValue parameter }, var body] } && name.Equals("lambda", StringComparison.OrdinalIgnoreCase)
            ? ((string)parameter!, body)
            : throw new NotSupportedException($"a one-parameter lambda was expected: {node}");

    private JsonNode? Apply((string Parameter, Node Body) lambda, JsonNode? item, Frame frame) =>
        Eval(lambda.Body, frame.WithLambda(lambda.Parameter, item?.DeepClone()));

    private static string Scalar(JsonNode? value) => value switch
    {
        null => string.Empty,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "True" : "False",
        _ => value.ToJsonString(),
    };

    private static JsonNode? Lookup(JsonNode? target, JsonNode? key, string expression, bool optional)
    {
        switch (target, key)
        {
            case (null, _) when optional:
                return null;
            case (JsonObject obj, JsonValue name) when name.TryGetValue<string>(out var property):
                var found = Key(obj, property);
                return found is not null ? obj[found]?.DeepClone() : optional ? null : throw new InvalidOperationException($"{expression}: no property '{property}' in {obj.ToJsonString()}");
            case (JsonArray array, JsonValue position) when position.TryGetValue<int>(out var i):
                return i >= 0 && i < array.Count ? array[i]?.DeepClone() : optional ? null : throw new InvalidOperationException($"{expression}: index {i} out of {array.Count}");
            default:
                throw new InvalidOperationException($"{expression}: cannot read {key?.ToJsonString()} of {target?.ToJsonString() ?? "null"}");
        }
    }

    /// <summary>The key of an object that matches a name without regard to case, as ARM matches them.</summary>
    private static string? Key(JsonObject obj, string name) => obj.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));

    private abstract record Node;

    private sealed record Literal(JsonNode? Value) : Node
    {
        public override string ToString() => Value?.ToJsonString() ?? "null";
    }

    private sealed record Member(Node Target, string Name) : Node
    {
        public override string ToString() => $"{Target}.{Name}";
    }

    private sealed record Index(Node Target, Node Key) : Node
    {
        public override string ToString() => $"{Target}[{Key}]";
    }

    private sealed record Call(string Name, IReadOnlyList<Node> Arguments) : Node
    {
        public override string ToString() => $"{Name}({string.Join(", ", Arguments)})";
    }

    /// <summary>ARM expression syntax: 'strings' ('' escapes), integers, name(args), .member, [index].</summary>
    private sealed class Parser(string text)
    {
        private int position;

        public Node ParseAll()
        {
            var node = ParseExpression();
            SkipSpace();
            return position == text.Length ? node : throw Error("unexpected text");
        }

        private Node ParseExpression()
        {
            var node = ParsePrimary();
            while (true)
            {
                SkipSpace();
                if (Peek('.'))
                {
                    position++;
                    node = new Member(node, ReadName());
                }
                else if (Peek('['))
                {
                    position++;
                    var key = ParseExpression();
                    Expect(']');
                    node = new Index(node, key);
                }
                else
                {
                    return node;
                }
            }
        }

        private Node ParsePrimary()
        {
            SkipSpace();
            if (Peek('\''))
            {
                var builder = new StringBuilder();
                position++;
                while (true)
                {
                    if (position >= text.Length)
                    {
                        throw Error("unterminated string");
                    }

                    if (text[position] == '\'')
                    {
                        if (position + 1 < text.Length && text[position + 1] == '\'')
                        {
                            builder.Append('\'');
                            position += 2;
                            continue;
                        }

                        position++;
                        return new Literal(JsonValue.Create(builder.ToString()));
                    }

                    builder.Append(text[position++]);
                }
            }

            if (position < text.Length && (char.IsAsciiDigit(text[position]) || text[position] == '-'))
            {
                var start = position++;
                while (position < text.Length && char.IsAsciiDigit(text[position]))
                {
                    position++;
                }

                return new Literal(JsonValue.Create(int.Parse(text[start..position], CultureInfo.InvariantCulture)));
            }

            var name = ReadName();
            Expect('(');
            var arguments = new List<Node>();
            SkipSpace();
            if (!Peek(')'))
            {
                do
                {
                    arguments.Add(ParseExpression());
                    SkipSpace();
                }
                while (Peek(',') && ++position > 0);
            }

            Expect(')');
            return new Call(name, arguments);
        }

        private string ReadName()
        {
            SkipSpace();
            var start = position;
            while (position < text.Length && (char.IsAsciiLetterOrDigit(text[position]) || text[position] is '_' or '$' or '#'))
            {
                position++;
            }

            return position > start ? text[start..position] : throw Error("a name was expected");
        }

        private void Expect(char c)
        {
            SkipSpace();
            if (!Peek(c))
            {
                throw Error($"'{c}' was expected");
            }

            position++;
        }

        private bool Peek(char c) => position < text.Length && text[position] == c;

        private void SkipSpace()
        {
            while (position < text.Length && text[position] == ' ')
            {
                position++;
            }
        }

        private FormatException Error(string problem) => new($"{problem} at {position} in [{text}]");
    }
}
