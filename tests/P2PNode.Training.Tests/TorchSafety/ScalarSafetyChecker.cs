using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace P2PNode.Training.Tests.TorchSafety;

/// <summary>One place where our code lets TorchSharp make a Scalar (or Tensor) that nothing keeps alive.</summary>
/// <param name="Rule">a: implicit → Scalar; b: implicit → Tensor; c: defaulted Scalar parameter; d: TorchSharp makes a Scalar itself; e: a ToScalar() result used without being held.</param>
internal sealed record ScalarSafetyViolation(string File, int Line, string Rule, string Expression, string Problem, string Hint)
{
    public override string ToString() => $"{File}:{Line}: [{Rule}] {Expression}\n    {Problem}\n    fix: {Hint}";
}

internal sealed record ScalarSafetyReport(IReadOnlyList<ScalarSafetyViolation> Violations, int TorchSharpInvocations, int TorchSharpCallSites);

/// <summary>
/// Walks the Roslyn operation tree of C# sources and reports every way in which a temporary
/// <c>TorchSharp.Scalar</c> (or an implicit <c>Tensor</c>) can be created and left for the GC while libtorch still
/// uses it. The rule it enforces: every Scalar handed to TorchSharp is a local held with
/// <c>using var s = x.ToScalar();</c> until the native call returns, and every Scalar parameter is passed
/// explicitly. See docs/training.md, "TorchSharp scalars".
/// </summary>
internal sealed class ScalarSafetyChecker(Compilation compilation, ScalarCreationScanner scanner, IReadOnlyDictionary<string, string> allowList)
{
    private readonly INamedTypeSymbol _scalar = compilation.GetTypeByMetadataName("TorchSharp.Scalar")
        ?? throw new InvalidOperationException("TorchSharp.Scalar not found: the compilation does not reference TorchSharp");
    private readonly INamedTypeSymbol _tensor = compilation.GetTypeByMetadataName("TorchSharp.torch+Tensor")
        ?? throw new InvalidOperationException("TorchSharp.torch.Tensor not found");

    public ScalarSafetyReport Check(IEnumerable<SyntaxTree> trees, Func<string, string> displayPath)
    {
        var violations = new List<ScalarSafetyViolation>();
        var seen = new HashSet<(SyntaxNode, string, string)>();
        int invocations = 0, callSites = 0;
        foreach (var tree in trees)
        {
            var model = compilation.GetSemanticModel(tree);
            var file = displayPath(tree.FilePath);
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                // Root operations only (member bodies, initializers); their descendants cover everything inside.
                if (model.GetOperation(node) is not { Parent: null } root) continue;
                foreach (var op in root.DescendantsAndSelf())
                {
                    foreach (var target in TorchSharpTargets(op))
                    {
                        callSites++;
                        if (op is IInvocationOperation) invocations++;
                        if (CheckTarget(op, target) is { } v && seen.Add((op.Syntax, v.Rule, v.Problem))) violations.Add(v);
                    }
                    if (CheckOperation(op) is { } w && seen.Add((op.Syntax, w.Rule, w.Problem))) violations.Add(w);
                }
            }

            ScalarSafetyViolation? CheckOperation(IOperation op)
            {
                switch (op)
                {
                    case IConversionOperation { Conversion.IsUserDefined: true, OperatorMethod: { } m } c
                        when SymbolEqualityComparer.Default.Equals(c.Type, _scalar) && !SymbolEqualityComparer.Default.Equals(c.Operand.Type, _scalar):
                        return At(op, "a", $"{c.Operand.Type?.ToDisplayString() ?? "?"} is converted to a Scalar by {m.ToDisplayString()}; nothing holds that Scalar after TorchSharp reads its handle",
                            $"declare `using var s = ({c.Operand.Syntax}).ToScalar();` before the call (hoist it out of loops) and pass s");
                    case IConversionOperation { Conversion.IsUserDefined: true, OperatorMethod: { } m } c
                        when SymbolEqualityComparer.Default.Equals(c.Type, _tensor) && !SymbolEqualityComparer.Default.Equals(c.Operand.Type, _tensor):
                        return At(op, "b", $"{c.Operand.Type?.ToDisplayString() ?? "?"} is converted to a temporary Tensor by {m.ToDisplayString()}",
                            "pass a held Scalar to the Scalar overload, or create the tensor explicitly with `using var t = torch.tensor(...)`");
                    case IArgumentOperation { ArgumentKind: ArgumentKind.DefaultValue, Parameter: { } p } arg
                        when SymbolEqualityComparer.Default.Equals(p.Type, _scalar) && arg.Parent is { } call:
                        return At(call, "c", $"parameter '{p.Name}' of {p.ContainingSymbol.ToDisplayString()} is left to its default, so TorchSharp makes that Scalar itself",
                            $"pass {p.Name}: explicitly, as a held Scalar (e.g. `using var one = 1.ToScalar();` … {p.Name}: one) or as null where null means none");
                    case IInvocationOperation { TargetMethod.Name: "ToScalar" } inv
                        when SymbolEqualityComparer.Default.Equals(inv.Type, _scalar) && IsUsedUnheld(inv):
                        return At(op, "e", "the Scalar made by ToScalar() is passed on directly or kept in a plain local; nothing holds it while libtorch reads it",
                            "declare it with `using var s = ….ToScalar();` before the call and pass s");
                    default:
                        return null;
                }
            }

            ScalarSafetyViolation? CheckTarget(IOperation op, IMethodSymbol target)
            {
                var definition = (target.ReducedFrom ?? target).OriginalDefinition;
                if (definition.MetadataToken == 0) return null;
                var method = scanner.ResolveTorchSharpMethod(definition.MetadataToken);
                if (ScalarCreationScanner.CreatesScalar(method)) return null; // the conversion itself: rules a, b and e judge how its result is used
                var key = ScalarCreationScanner.Describe(method);
                if (allowList.ContainsKey(key)) return null;
                if (scanner.ScalarCreationPath(method) is not { } path) return null;
                return At(op, "d", $"{key} creates a Scalar inside TorchSharp that nothing holds: {string.Join(" → ", path)}",
                    SaferOverload(method) is { } other
                        ? $"call {other} instead, passing every Scalar as a held local (`using var one = 1.ToScalar();`)"
                        : "do the operation another way (held Scalars, or plain tensor ops), or allow-list the method in ScalarSafetyTests with proof that it holds its Scalar");
            }

            ScalarSafetyViolation At(IOperation op, string rule, string problem, string hint)
            {
                var line = op.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                var text = op.Syntax.ToString().ReplaceLineEndings(" ");
                if (text.Length > 140) text = text[..137] + "...";
                return new ScalarSafetyViolation(file, line, rule, text, problem, hint);
            }
        }
        violations.Sort((x, y) => (x.File, x.Line, x.Rule).CompareTo((y.File, y.Line, y.Rule)));
        return new ScalarSafetyReport(violations, invocations, callSites);
    }

    /// <summary>TorchSharp methods that an operation calls: invocations, constructors, property accessors, operators.</summary>
    private static IEnumerable<IMethodSymbol> TorchSharpTargets(IOperation op)
    {
        IEnumerable<IMethodSymbol?> targets = op switch
        {
            IInvocationOperation i => [i.TargetMethod],
            IObjectCreationOperation o => [o.Constructor],
            IPropertyReferenceOperation p => op.Parent switch
            {
                ISimpleAssignmentOperation a when a.Target == op => [p.Property.SetMethod],
                ICompoundAssignmentOperation or ICoalesceAssignmentOperation or IIncrementOrDecrementOperation => [p.Property.GetMethod, p.Property.SetMethod],
                _ => [p.Property.GetMethod],
            },
            IBinaryOperation b => [b.OperatorMethod],
            IUnaryOperation u => [u.OperatorMethod],
            ICompoundAssignmentOperation c => [c.OperatorMethod],
            IMethodReferenceOperation m => [m.Method],
            _ => [],
        };
        return targets.OfType<IMethodSymbol>().Where(m => m.ContainingAssembly?.Name == "TorchSharp");
    }

    /// <summary>
    /// True when a ToScalar() result goes straight into a call (as an argument or receiver), or into a local that is
    /// not a using variable (the JIT may treat such a local as dead right after its last read, before the native call
    /// returns). Held: a using local (disposed at the end of its scope), a field, a return value (the caller's).
    /// </summary>
    private static bool IsUsedUnheld(IOperation op)
    {
        var parent = op.Parent;
        while (parent is IConversionOperation or IParenthesizedOperation) parent = parent.Parent;
        if (parent is IVariableInitializerOperation)
        {
            var holder = parent.Parent;
            while (holder is IVariableDeclaratorOperation or IVariableDeclarationOperation or IVariableDeclarationGroupOperation) holder = holder.Parent;
            return holder is not (IUsingDeclarationOperation or IUsingOperation);
        }
        return parent is IArgumentOperation or IInvocationOperation or IBinaryOperation or IPropertyReferenceOperation;
    }

    /// <summary>An overload of the same method that does not make a Scalar of its own, to suggest in the fix.</summary>
    private string? SaferOverload(System.Reflection.MethodBase method)
    {
        var own = method.GetParameters().Select(p => p.ParameterType).ToArray();
        return method.DeclaringType!.GetMember(method.Name, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static)
            .OfType<System.Reflection.MethodBase>()
            .Where(m => m.GetParameters() is var ps && ps.Length > own.Length && ps.Take(own.Length).Select(p => p.ParameterType).SequenceEqual(own))
            .Where(m => scanner.ScalarCreationPath(m) is null)
            .OrderBy(m => m.GetParameters().Length)
            .Select(ScalarCreationScanner.Describe)
            .FirstOrDefault();
    }
}
