# INTERFACE targets that carry our language level, warnings and sanitizer
# flags. Our own targets link them PRIVATE; third-party code never sees them.
add_library(tapline_settings INTERFACE)
target_compile_features(tapline_settings INTERFACE cxx_std_23)
set(CMAKE_CXX_EXTENSIONS OFF)
target_compile_definitions(tapline_settings INTERFACE BOOST_PROCESS_USE_STD_FS)

# -Wnull-dereference is left out: with GCC 12 at -O2 it fires on inlined
# libstdc++ and Asio code (std::string, istreambuf_iterator) that is fine.
add_library(tapline_warnings INTERFACE)
target_compile_options(tapline_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
  -Wextra-semi)
if(TAPLINE_DEVELOPER_MODE)
  target_compile_options(tapline_warnings INTERFACE -Werror)
endif()

set(tapline_sanitizers "")
if(TAPLINE_SANITIZE_ADDRESS)
  list(APPEND tapline_sanitizers address)
endif()
if(TAPLINE_SANITIZE_UNDEFINED)
  list(APPEND tapline_sanitizers undefined)
endif()
if(tapline_sanitizers)
  list(JOIN tapline_sanitizers "," tapline_sanitizer_list)
  target_compile_options(tapline_settings INTERFACE
    -fsanitize=${tapline_sanitizer_list} -fno-omit-frame-pointer
    -fno-sanitize-recover=all)
  target_link_options(tapline_settings INTERFACE
    -fsanitize=${tapline_sanitizer_list})
endif()

# simdjson's On-Demand parser (the message reader's hot path) is compiled
# inline for the target ISA: on a plain x86-64 baseline it falls back to a
# scalar kernel several times slower. tapline is built on the machine that
# runs it (scripts/quickstart), so when that machine has AVX2 we target
# x86-64-v3 (Haswell and later; the baseline RHEL 10 also requires).
# TAPLINE_ARCH overrides: e.g. -DTAPLINE_ARCH=x86-64 for a portable binary.
if(NOT DEFINED TAPLINE_ARCH)
  set(TAPLINE_ARCH "")
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
    try_run(tapline_avx2_run tapline_avx2_compiled
      ${CMAKE_BINARY_DIR}/arch-probe
      ${CMAKE_CURRENT_LIST_DIR}/avx2_probe.cpp)
    if(tapline_avx2_compiled AND tapline_avx2_run EQUAL 0)
      set(TAPLINE_ARCH "x86-64-v3")
    endif()
  endif()
  set(TAPLINE_ARCH "${TAPLINE_ARCH}" CACHE STRING "-march value (empty: compiler default)")
endif()
if(TAPLINE_ARCH)
  message(STATUS "tapline: building for -march=${TAPLINE_ARCH}")
  target_compile_options(tapline_settings INTERFACE -march=${TAPLINE_ARCH})
endif()
