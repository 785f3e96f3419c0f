namespace AnFunctions.Emulator;

/// <summary>One <c>field op value</c> clause of an ARM <c>$filter</c>.</summary>
internal sealed record FilterClause(string Field, string Operator, string Value);

/// <summary>
/// The small subset of OData <c>$filter</c> that ARM list APIs accept: clauses <c>field op 'value'</c> (or a bare
/// value) joined by <c>and</c>. Quotes inside values are doubled (<c>''</c>).
/// </summary>
internal static class ODataFilter
{
    public static bool TryParse(string filter, out List<FilterClause> clauses, out string? error)
    {
        clauses = [];
        error = null;
        var tokens = new List<(string Text, bool Quoted)>();
        var i = 0;
        while (i < filter.Length)
        {
            var c = filter[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '\'')
            {
                var text = new System.Text.StringBuilder();
                i++;
                while (true)
                {
                    if (i >= filter.Length)
                    {
                        error = "unterminated quoted value";
                        return false;
                    }

                    if (filter[i] == '\'')
                    {
                        if (i + 1 < filter.Length && filter[i + 1] == '\'')
                        {
                            text.Append('\'');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    text.Append(filter[i++]);
                }

                tokens.Add((text.ToString(), true));
            }
            else
            {
                var start = i;
                while (i < filter.Length && !char.IsWhiteSpace(filter[i]) && filter[i] != '\'')
                {
                    i++;
                }

                tokens.Add((filter[start..i], false));
            }
        }

        for (var t = 0; t < tokens.Count; t += 4)
        {
            if (t + 2 >= tokens.Count || tokens[t].Quoted || tokens[t + 1].Quoted)
            {
                error = "expected clauses of the form: field op 'value'";
                return false;
            }

            clauses.Add(new FilterClause(tokens[t].Text, tokens[t + 1].Text.ToLowerInvariant(), tokens[t + 2].Text));
            if (t + 3 < tokens.Count && (tokens[t + 3].Quoted || !tokens[t + 3].Text.Equals("and", StringComparison.OrdinalIgnoreCase)))
            {
                error = $"expected 'and' after the clause on '{tokens[t].Text}'";
                return false;
            }

            if (t + 3 == tokens.Count - 1)
            {
                error = "the filter ends with 'and'";
                return false;
            }
        }

        return true;
    }
}
