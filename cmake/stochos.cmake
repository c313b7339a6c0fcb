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

# STOCHOS_SANITIZE=address,undefined or =thread (`make sanitize`, `make tsan`): every target of
# this build, the test programs and the engine modules included, is instrumented. Recovery is
# off so that the first report ends the process and fails its test.
set(STOCHOS_SANITIZE "" CACHE STRING "Sanitizers for every target: address,undefined or thread")
if(STOCHOS_SANITIZE)
  add_compile_options(-fsanitize=${STOCHOS_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${STOCHOS_SANITIZE})
endif()
