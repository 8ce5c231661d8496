--TEST--
stubs/rswoole.stub.php describes exactly what the extension registers (classes, alias, methods, parameters, defaults, properties, constants, functions)
--DESCRIPTION--
Loads the stub in a `php -n` child without the extension, describes it through Reflection, and
compares that line by line with the same description of the extension in this process
(enumerated from ReflectionExtension, so anything the extension adds and the stub lacks shows
up). Prints the differing lines, or OK.
--FILE--
<?php
// One marker for "the engine reports no default for this optional parameter": such a default
// cannot be compared, its parameter's optional-ness still is.
function rs_stubtest_unavailable(): string { return '<no default available>'; }

function rs_stubtest_type(?ReflectionType $t): string {
    if ($t === null) {
        return '-';
    }
    if ($t instanceof ReflectionUnionType) {
        $parts = array_map('strval', $t->getTypes());
        sort($parts);
        return implode('|', $parts);
    }
    return (string)$t;
}

function rs_stubtest_value(mixed $v): string {
    return get_debug_type($v) . ' ' . preg_replace('/\s+/', ' ', var_export($v, true));
}

function rs_stubtest_default(ReflectionParameter $p): string {
    if (!$p->isDefaultValueAvailable()) {
        return rs_stubtest_unavailable();
    }
    $s = '';
    try {
        if ($p->isDefaultValueConstant()) {
            $name = ltrim($p->getDefaultValueConstantName(), '\\');
            // An unqualified constant in a namespaced stub falls back to the global one.
            $pos = strrpos($name, '\\');
            if ($pos !== false && !str_contains($name, '::') && !defined($name) && defined(substr($name, $pos + 1))) {
                $name = substr($name, $pos + 1);
            }
            $s = "const $name = ";
        }
        $s .= rs_stubtest_value($p->getDefaultValue());
    } catch (Throwable $e) {
        $s .= 'error ' . get_class($e) . ': ' . $e->getMessage();
    }
    return $s;
}

function rs_stubtest_function(array &$out, string $key, ReflectionFunctionAbstract $f, string $mods): void {
    $ret = 'return=' . rs_stubtest_type($f->getReturnType());
    if ($f->hasTentativeReturnType()) {
        $ret .= ' tentative-return=' . rs_stubtest_type($f->getTentativeReturnType());
    }
    $out[$key] = trim($mods . ' ' . $ret . ($f->returnsReference() ? ' by-reference' : '')
        . ' params=' . $f->getNumberOfParameters() . ' required=' . $f->getNumberOfRequiredParameters());
    foreach ($f->getParameters() as $i => $p) {
        $out["$key #$i"] = '$' . $p->getName() . ' type=' . rs_stubtest_type($p->getType())
            . ($p->isOptional() ? ' optional' : ' required')
            . ($p->allowsNull() ? ' nullable' : '')
            . ($p->isVariadic() ? ' variadic' : '')
            . ($p->isPassedByReference() ? ' by-reference' : '');
        if ($p->isOptional() && !$p->isVariadic()) {
            $out["$key #$i default"] = rs_stubtest_default($p);
        }
    }
}

function rs_stubtest_class(array &$out, ReflectionClass $c): void {
    $n = $c->getName();
    $kind = $c->isEnum() ? 'enum' : ($c->isInterface() ? 'interface' : ($c->isTrait() ? 'trait' : 'class'));
    $interfaces = $c->getInterfaceNames();
    sort($interfaces);
    $out["class $n"] = $kind
        . ($c->isFinal() ? ' final' : '')
        . ($c->isAbstract() && !$c->isInterface() ? ' abstract' : '')
        . ($c->isReadOnly() ? ' readonly' : '')
        . ($c->isCloneable() ? ' cloneable' : ' not-cloneable')
        . ' parent=' . ($c->getParentClass() ? $c->getParentClass()->getName() : '-')
        . ' interfaces=' . ($interfaces ? implode(',', $interfaces) : '-');
    foreach ($c->getMethods() as $m) {
        if ($m->getDeclaringClass()->getName() !== $n) {
            continue;
        }
        // A __construct entry that `new` does not call (the class runs an inherited
        // constructor) is not part of the class's interface.
        $ctor = $c->getConstructor();
        if (strcasecmp($m->getName(), "__construct") === 0 && $ctor && $ctor->getDeclaringClass()->getName() !== $n) {
            continue;
        }
        rs_stubtest_function($out, "method $n::{$m->getName()}()", $m, implode(' ', Reflection::getModifierNames($m->getModifiers())));
    }
    foreach ($c->getProperties() as $p) {
        if ($p->getDeclaringClass()->getName() !== $n) {
            continue;
        }
        $out["property $n::\${$p->getName()}"] = implode(' ', Reflection::getModifierNames($p->getModifiers()))
            . ' type=' . rs_stubtest_type($p->getType())
            . ' default=' . ($p->hasDefaultValue() ? rs_stubtest_value($p->getDefaultValue()) : 'none');
    }
    foreach ($c->getReflectionConstants() as $k) {
        if ($k->getDeclaringClass()->getName() !== $n) {
            continue;
        }
        $out["class-constant $n::{$k->getName()}"] = implode(' ', Reflection::getModifierNames($k->getModifiers()))
            . ($k->isEnumCase() ? ' case' : '') . ' ' . rs_stubtest_value($k->getValue());
    }
}

/** @param array<string, ReflectionClass> $classes registered name => class */
function rs_stubtest_describe(array $classes, array $functions, array $constants): array {
    $out = [];
    foreach ($classes as $name => $c) {
        if (strcasecmp($name, $c->getName()) !== 0) {
            $out['alias ' . strtolower($name)] = $c->getName();
            continue;
        }
        rs_stubtest_class($out, $c);
    }
    foreach ($functions as $f) {
        rs_stubtest_function($out, "function {$f->getName()}()", $f, '');
    }
    foreach ($constants as $name => $value) {
        $out["constant $name"] = rs_stubtest_value($value);
    }
    ksort($out, SORT_STRING);
    return $out;
}

function rs_stubtest_declared(): array {
    return array_merge(get_declared_classes(), get_declared_interfaces(), get_declared_traits());
}

if (($argv[1] ?? '') === 'stub-side') {
    // The child: no extension, only the stub. Everything the stub declares, found by what is
    // new after require (get_declared_classes() also lists class_alias() names).
    if (extension_loaded('rswoole')) {
        fwrite(STDERR, "the stub side must run without the extension\n");
        exit(1);
    }
    $classesBefore = rs_stubtest_declared();
    $functionsBefore = get_defined_functions()['user'];
    $constantsBefore = get_defined_constants(true)['user'] ?? [];
    require $argv[2];
    $classes = [];
    foreach (array_diff(rs_stubtest_declared(), $classesBefore) as $name) {
        $classes[$name] = new ReflectionClass($name);
    }
    $functions = array_map(fn($f) => new ReflectionFunction($f), array_diff(get_defined_functions()['user'], $functionsBefore));
    $constants = array_diff_key(get_defined_constants(true)['user'] ?? [], $constantsBefore);
    echo json_encode(rs_stubtest_describe($classes, $functions, $constants), JSON_THROW_ON_ERROR);
    exit(0);
}

// The parent: this process has the extension loaded.
if (!extension_loaded('rswoole')) {
    die("rswoole is not loaded\n");
}
$stubFile = dirname(__DIR__, 3) . '/stubs/rswoole.stub.php';
$ext = new ReflectionExtension('rswoole');
$extSide = rs_stubtest_describe($ext->getClasses(), $ext->getFunctions(), $ext->getConstants());

$proc = proc_open([PHP_BINARY, '-n', __FILE__, 'stub-side', $stubFile], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
$json = stream_get_contents($pipes[1]);
$err = stream_get_contents($pipes[2]);
fclose($pipes[1]);
fclose($pipes[2]);
$rc = proc_close($proc);
$stubSide = json_decode($json, true);
if ($rc !== 0 || $err !== '' || !is_array($stubSide)) {
    $out = strlen($json) > 400 ? substr($json, 0, 400) . '...' : $json;
    die("loading the stub without the extension failed (exit $rc):\n$err$out\n");
}

$diff = [];
$keys = array_unique(array_merge(array_keys($stubSide), array_keys($extSide)));
sort($keys, SORT_STRING);
foreach ($keys as $k) {
    if (!array_key_exists($k, $extSide)) {
        $diff[] = "only in stub:      $k: {$stubSide[$k]}";
    } elseif (!array_key_exists($k, $stubSide)) {
        $diff[] = "only in extension: $k: {$extSide[$k]}";
    } elseif ($extSide[$k] === rs_stubtest_unavailable() && str_ends_with($k, ' default')) {
        continue; // the extension reports no default value: only optional-ness is compared
    } elseif ($stubSide[$k] !== $extSide[$k]) {
        $diff[] = "differs:           $k\n    stub:      {$stubSide[$k]}\n    extension: {$extSide[$k]}";
    }
}
// Not vacuous: both sides saw the server class, its legacy name and a constant.
foreach (['class Swoole\Server', 'alias swoole_server', 'constant SWOOLE_BASE'] as $k) {
    if (!isset($extSide[$k], $stubSide[$k])) {
        $diff[] = "missing on one side or both: $k";
    }
}
echo $diff ? implode("\n", $diff) . "\n" : "OK\n";
?>
--EXPECT--
OK
