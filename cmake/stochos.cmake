# Warnings are errors for our own code; a switch over the op enum must name every op.
add_library(stochos_warnings INTERFACE)
target_compile_options(stochos_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Werror -Werror=switch -Wno-error=deprecated-declarations)

# stochos_library(NAME DIR deps...): a static library of every .cpp in DIR (not recursive).
function(stochos_library name dir)
  file(GLOB sources CONFIGURE_DEPENDS ${dir}/*.cpp)
  add_library(${name} STATIC ${sources})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/include)
  target_link_libraries(${name} PUBLIC ${ARGN} PRIVATE stochos_warnings)
endfunction()
