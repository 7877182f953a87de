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

