int main(void){return 1;} /* TODO-REPLACE */
