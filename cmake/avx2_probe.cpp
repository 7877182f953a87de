// Exits 0 when the build machine can run x86-64-v3 code (AVX2, BMI1/2,
// FMA, LZCNT, MOVBE), which is what -march=x86-64-v3 assumes.
int
main()
{
  __builtin_cpu_init();
  const bool v3 = __builtin_cpu_supports("avx2") &&
                  __builtin_cpu_supports("bmi") &&
                  __builtin_cpu_supports("bmi2") &&
                  __builtin_cpu_supports("fma") &&
                  __builtin_cpu_supports("lzcnt") &&
                  __builtin_cpu_supports("movbe");
  return v3 ? 0 : 1;
}
