using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Emit;
using TorchSharp;

namespace P2PNode.Training.Tests.TorchSafety;

/// <summary>
/// Reads the IL of TorchSharp's own methods and answers: does calling this method make TorchSharp create a
/// <see cref="Scalar"/> of its own (through <c>Scalar.op_Implicit</c> or a <c>ToScalar</c> method), directly or
/// through other TorchSharp methods it calls, up to <see cref="MaxDepth"/> calls deep? Such a Scalar is
/// referenced by nothing once its handle has been read, so the GC may free it while libtorch still reads it.
/// Call targets come from a plain opcode walk (opcode table built from <see cref="OpCodes"/>) over
/// <see cref="MethodBody.GetILAsByteArray"/>; call, callvirt and newobj targets inside TorchSharp are followed.
/// Calls through delegates and virtual dispatch to overrides are not followed.
/// </summary>
internal sealed class ScalarCreationScanner
{
    public const int MaxDepth = 4;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private readonly Module _torchModule = typeof(Scalar).Module;
    private readonly ConcurrentDictionary<(MethodBase, int), IReadOnlyList<string>?> _memo = new();

    /// <summary>
    /// The call chain from <paramref name="method"/> to the Scalar it creates (e.g. ["Tensor.add_(Scalar)",
    /// "Scalar.op_Implicit(Int32)"]), or null when its IL creates none within <paramref name="depth"/> calls.
    /// </summary>
    public IReadOnlyList<string>? ScalarCreationPath(MethodBase method, int depth = MaxDepth) =>
        Search(method, depth, []);

    /// <summary>The TorchSharp method with this metadata token (as Roslyn's <c>ISymbol.MetadataToken</c> gives it).</summary>
    public MethodBase ResolveTorchSharpMethod(int metadataToken) => _torchModule.ResolveMethod(metadataToken)!;

    public bool IsTorchSharp(MethodBase method) => method.Module == _torchModule;

    /// <summary>True for the methods that turn something else into a new Scalar.</summary>
    public static bool CreatesScalar(MethodBase method) =>
        method is MethodInfo { ReturnType: var r } && r == typeof(Scalar) && method.Name is "op_Implicit" or "op_Explicit" or "ToScalar";

    public static string Describe(MethodBase m)
    {
        var name = m.IsConstructor ? "new " + TypeName(m.DeclaringType!) : TypeName(m.DeclaringType!) + "." + m.Name;
        return $"{name}({string.Join(", ", m.GetParameters().Select(p => TypeName(p.ParameterType)))})";
    }

    private static string TypeName(Type t)
    {
        if (t.IsGenericType)
            return t.Name[..t.Name.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(", ", t.GetGenericArguments().Select(TypeName)) + ">";
        return Nullable.GetUnderlyingType(t) is { } u ? TypeName(u) + "?" : t.Name;
    }

    private IReadOnlyList<string>? Search(MethodBase method, int depth, HashSet<MethodBase> onPath)
    {
        if (_memo.TryGetValue((method, depth), out var known)) return known;
        if (!onPath.Add(method)) return null;
        IReadOnlyList<string>? found = null;
        try
        {
            foreach (var callee in Callees(method))
            {
                if (CreatesScalar(callee)) { found = [Describe(method), Describe(callee)]; break; }
                if (depth > 1 && IsTorchSharp(callee) && Search(callee, depth - 1, onPath) is { } deeper)
                {
                    found = [Describe(method), .. deeper];
                    break;
                }
            }
        }
        finally { onPath.Remove(method); }
        _memo[(method, depth)] = found;
        return found;
    }

    /// <summary>Targets of every call, callvirt and newobj in the method's IL.</summary>
    internal static IEnumerable<MethodBase> Callees(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var typeArgs = method.DeclaringType is { IsGenericType: true } dt ? dt.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var pos = 0;
        while (pos < il.Length)
        {
            short value = il[pos++];
            if (value == 0xFE) value = (short)(0xFE00 | il[pos++]);
            if (!OpCodesByValue.TryGetValue(value, out var op))
                throw new InvalidOperationException($"unknown opcode 0x{value:X} at IL offset {pos - 1} in {Describe(method)}");
            var operandStart = pos;
            pos += op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, pos),
                _ => 4, // InlineBrTarget, InlineField, InlineI, InlineMethod, InlineSig, InlineString, InlineTok, InlineType, ShortInlineR
            };
            if (op.OperandType != OperandType.InlineMethod || (op != OpCodes.Call && op != OpCodes.Callvirt && op != OpCodes.Newobj)) continue;
            MethodBase? callee;
            try { callee = method.Module.ResolveMethod(BitConverter.ToInt32(il, operandStart), typeArgs, methodArgs); }
            catch (Exception e) when (e is ArgumentException or TypeLoadException or FileNotFoundException or MissingMethodException or BadImageFormatException)
            {
                continue; // a method in an assembly this process cannot load is not TorchSharp's
            }
            if (callee is not null) yield return callee;
        }
    }
}
